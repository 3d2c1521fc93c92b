{#-
    Repeat purchases of the cutoff's customers per day, in the calibration period and the
    holdout: each customer's distinct days with valid lines after their first purchase day
    (the actual curve of the tracking plot).
-#}
with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

customers as (

    select * from {{ ref('int_backtest_purchase_summary') }}

),

customer_purchase_days as (

    select
        line_groups.customer_id,
        cast(line_groups.invoiced_at as date) as purchase_date

    from line_groups
    inner join customers
        on line_groups.customer_id = customers.customer_id
    where
        line_groups.outcome = 'valid'
        and cast(line_groups.invoiced_at as date)
        > customers.first_purchase_date
    group by
        line_groups.customer_id,
        cast(line_groups.invoiced_at as date)

),

daily_repeat_purchases as (

    select
        purchase_date,
        count(*) as repeat_purchases

    from customer_purchase_days
    group by purchase_date

)

select * from daily_repeat_purchases
