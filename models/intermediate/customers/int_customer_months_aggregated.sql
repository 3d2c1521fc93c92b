{#-
    The valid purchases of each customer per calendar month, from the valid
    lines rpt_monthly_revenue reads: the grain of the customer lifecycle and the
    cohorts. A table, so that both read the classified lines (and the raw file)
    once between them.
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

valid_lines as (

    select
        customer_id,
        line_amount,
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date

    from invoice_lines
    where outcome = 'valid'

),

customer_months as (

    select
        customer_id,
        {{ exact_sum('line_amount') }} as revenue,
        month_start_date

    from valid_lines
    group by customer_id, month_start_date

)

select * from customer_months
