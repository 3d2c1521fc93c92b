{#-
    The per-customer inputs of the value models (BG/NBD, Gamma-Gamma), in days: purchases
    are distinct purchase days, measured over the customers and the as-of date of
    int_customers_rfm_aggregated (valid lines before the as-of date).
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

purchase_days as (

    select
        invoice_lines.customer_id,
        cast(invoice_lines.invoiced_at as date) as purchase_date,
        {{ exact_sum('invoice_lines.line_amount') }} as purchase_day_value

    from invoice_lines
    inner join customers
        on invoice_lines.customer_id = customers.customer_id
    where
        invoice_lines.outcome = 'valid'
        and invoice_lines.invoiced_at
        < cast(customers.as_of_date as timestamp)
    group by
        invoice_lines.customer_id,
        cast(invoice_lines.invoiced_at as date)

),

customer_purchase_days as (

    select
        customer_id,
        count(*) as purchase_day_count,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date

    from purchase_days
    group by customer_id

),

repeat_purchase_values as (

    select
        purchase_days.customer_id,
        {{ exact_avg('purchase_days.purchase_day_value', 6) }}
            as mean_repeat_purchase_value

    from purchase_days
    inner join customer_purchase_days
        on purchase_days.customer_id = customer_purchase_days.customer_id
    where
        purchase_days.purchase_date > customer_purchase_days.first_purchase_date
    group by purchase_days.customer_id

),

purchase_summary as (

    select
        customers.customer_id,
        customer_purchase_days.purchase_day_count - 1 as repeat_purchases,
        {{ dbt.datediff(
            'customer_purchase_days.first_purchase_date',
            'customer_purchase_days.last_purchase_date',
            'day'
        ) }} as first_to_last_purchase_days,
        {{ dbt.datediff(
            'customer_purchase_days.first_purchase_date',
            dbt.dateadd('day', -1, 'customers.as_of_date'),
            'day'
        ) }} as first_purchase_to_period_end_days,
        repeat_purchase_values.mean_repeat_purchase_value,
        customers.as_of_date,
        customer_purchase_days.first_purchase_date,
        customer_purchase_days.last_purchase_date

    from customers
    inner join customer_purchase_days
        on customers.customer_id = customer_purchase_days.customer_id
    left join repeat_purchase_values
        on customers.customer_id = repeat_purchase_values.customer_id

)

select * from purchase_summary
