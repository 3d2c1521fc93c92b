with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

sales_and_returns as (

    {#- one pass over the classified lines (which re-reads the raw file), with
        only the columns and outcomes read below #}
    select
        outcome,
        invoice_id,
        customer_id,
        line_amount,
        invoiced_at

    from invoice_lines
    where outcome in ('valid', 'cancellation')

),

customers as (

    select * from {{ ref('dim_customers') }}

),

sales as (

    select
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date,
        round({{ exact_sum('line_amount') }}, 2) as revenue,
        count(distinct invoice_id) as orders,
        count(distinct customer_id) as active_customers

    from sales_and_returns
    where outcome = 'valid'
    group by 1

),

returns as (

    select
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date,
        round(-{{ exact_sum('line_amount') }}, 2) as returns_amount,
        count(*) as return_lines

    from sales_and_returns
    where outcome = 'cancellation'
    group by 1

),

first_purchases as (

    select
        cast(
            {{ dbt.date_trunc('month', 'first_purchase_at') }} as date
        ) as month_start_date,
        count(*) as new_customers

    from customers
    group by 1

),

monthly as (

    select
        sales.month_start_date,
        sales.revenue,
        sales.orders,
        sales.active_customers,
        coalesce(first_purchases.new_customers, 0) as new_customers,
        coalesce(returns.returns_amount, 0) as returns_amount,
        coalesce(returns.return_lines, 0) as return_lines

    from sales
    left join returns
        on sales.month_start_date = returns.month_start_date
    left join first_purchases
        on sales.month_start_date = first_purchases.month_start_date

)

select * from monthly
