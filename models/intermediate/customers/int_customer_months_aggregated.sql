{#-
    The valid purchases of each customer per calendar month, from the line groups
    (int_customer_invoice_line_groups): the grain of the customer lifecycle and the
    cohorts.
-#}
with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

valid_groups as (

    select
        customer_id,
        line_amount,
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date

    from line_groups
    where outcome = 'valid'

),

customer_months as (

    select
        customer_id,
        {{ exact_sum('line_amount') }} as revenue,
        month_start_date

    from valid_groups
    group by customer_id, month_start_date

)

select * from customer_months
