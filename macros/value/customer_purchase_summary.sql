{#-
    The inputs of the value models (BG/NBD, Gamma-Gamma) per customer and as-of date, in
    days, as a SELECT usable as a CTE body. `customers` names a relation or CTE in scope
    with customer_id and as_of_date (one row per customer and as-of date); only valid lines
    dated before each row's as-of date count. A purchase is a distinct day with valid
    lines, worth the sum of that day's lines. Inner CTE names start with summary_ so they
    never shadow the caller's.
-#}
{% macro customer_purchase_summary(customers) %}
    with

    summary_customers as (

        select
            customer_id,
            as_of_date

        from {{ customers }}

    ),

    summary_purchase_days as (

        select
            summary_customers.customer_id,
            summary_customers.as_of_date,
            cast(line_groups.invoiced_at as date) as purchase_date,
            {{ exact_sum('line_groups.line_amount') }} as purchase_day_value

        from {{ ref('int_customer_invoice_line_groups') }} as line_groups
        inner join summary_customers
            on line_groups.customer_id = summary_customers.customer_id
        where
            line_groups.outcome = 'valid'
            and line_groups.invoiced_at
            < cast(summary_customers.as_of_date as timestamp)
        group by
            summary_customers.customer_id,
            summary_customers.as_of_date,
            cast(line_groups.invoiced_at as date)

    ),

    summary_customer_days as (

        select
            customer_id,
            as_of_date,
            count(*) as purchase_day_count,
            min(purchase_date) as first_purchase_date,
            max(purchase_date) as last_purchase_date

        from summary_purchase_days
        group by customer_id, as_of_date

    ),

    summary_repeat_values as (

        select
            summary_purchase_days.customer_id,
            summary_purchase_days.as_of_date,
            {{ exact_avg('summary_purchase_days.purchase_day_value', 6) }}
                as mean_repeat_purchase_value

        from summary_purchase_days
        inner join summary_customer_days
            on
                summary_purchase_days.customer_id = summary_customer_days.customer_id
                and summary_purchase_days.as_of_date = summary_customer_days.as_of_date
        where
            summary_purchase_days.purchase_date
            > summary_customer_days.first_purchase_date
        group by summary_purchase_days.customer_id, summary_purchase_days.as_of_date

    ),

    summary_per_customer as (

        select
            summary_customers.customer_id,
            summary_customer_days.purchase_day_count - 1 as repeat_purchases,
            {{ dbt.datediff(
                'summary_customer_days.first_purchase_date',
                'summary_customer_days.last_purchase_date',
                'day'
            ) }} as first_to_last_purchase_days,
            {{ dbt.datediff(
                'summary_customer_days.first_purchase_date',
                dbt.dateadd('day', -1, 'summary_customers.as_of_date'),
                'day'
            ) }} as first_purchase_to_period_end_days,
            summary_repeat_values.mean_repeat_purchase_value,
            summary_customers.as_of_date,
            summary_customer_days.first_purchase_date,
            summary_customer_days.last_purchase_date

        from summary_customers
        inner join summary_customer_days
            on
                summary_customers.customer_id = summary_customer_days.customer_id
                and summary_customers.as_of_date = summary_customer_days.as_of_date
        left join summary_repeat_values
            on
                summary_customers.customer_id = summary_repeat_values.customer_id
                and summary_customers.as_of_date = summary_repeat_values.as_of_date

    )

    select * from summary_per_customer
{% endmacro %}
