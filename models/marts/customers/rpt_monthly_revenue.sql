with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

sales_and_returns as (

    {#- one pass over the line groups: valid lines are sales, cancellations
        are returns #}
    select
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date,
        round({{ exact_sum(
            "case when outcome = 'valid' then line_amount end"
        ) }}, 2) as revenue,
        count(
            distinct case when outcome = 'valid' then invoice_id end
        ) as orders,
        count(
            distinct case when outcome = 'valid' then customer_id end
        ) as active_customers,
        round(-{{ exact_sum(
            "case when outcome = 'cancellation' then line_amount end"
        ) }}, 2) as returns_amount,
        cast(coalesce(
            sum(case when outcome = 'cancellation' then line_count end), 0
        ) as {{ dbt.type_bigint() }}) as return_lines

    from line_groups
    where outcome in ('valid', 'cancellation')
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
        sales_and_returns.month_start_date,
        sales_and_returns.revenue,
        sales_and_returns.orders,
        sales_and_returns.active_customers,
        coalesce(first_purchases.new_customers, 0) as new_customers,
        coalesce(sales_and_returns.returns_amount, 0) as returns_amount,
        sales_and_returns.return_lines

    from sales_and_returns
    left join first_purchases
        on sales_and_returns.month_start_date = first_purchases.month_start_date
    -- a month with returns only is not a month with sales
    where sales_and_returns.orders > 0

)

select * from monthly
