{#-
    What each customer of the cutoff did in the holdout: purchases counted as the value
    models count them (distinct days with valid lines) and revenue (the sum of their valid
    lines), from the cutoff to the end of the data.
-#}
with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

backtest_period as (

    select * from {{ ref('int_backtest_period') }}

),

customers as (

    select * from {{ ref('int_backtest_purchase_summary') }}

),

holdout_purchase_days as (

    select
        line_groups.customer_id,
        cast(line_groups.invoiced_at as date) as purchase_date,
        {{ exact_sum('line_groups.line_amount') }} as purchase_day_value

    from line_groups
    cross join backtest_period
    where
        line_groups.outcome = 'valid'
        and line_groups.invoiced_at
        >= cast(backtest_period.cutoff_date as timestamp)
    group by
        line_groups.customer_id,
        cast(line_groups.invoiced_at as date)

),

holdout_totals as (

    select
        customer_id,
        count(*) as holdout_purchases,
        {{ exact_sum('purchase_day_value') }} as holdout_revenue

    from holdout_purchase_days
    group by customer_id

),

holdout_actuals as (

    select
        customers.customer_id,
        coalesce(holdout_totals.holdout_purchases, 0) as holdout_purchases,
        round(coalesce(holdout_totals.holdout_revenue, 0), 2)
            as holdout_revenue,
        holdout_totals.customer_id is not null as has_holdout_purchase

    from customers
    left join holdout_totals
        on customers.customer_id = holdout_totals.customer_id

)

select * from holdout_actuals
