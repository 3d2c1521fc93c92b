{#-
    Repeat purchases of the cutoff's customers per day, in the calibration period and the
    holdout: each customer's distinct days with valid lines after their first purchase day
    (the actual curve of the tracking plot).
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

customers as (

    select * from {{ ref('int_backtest_purchase_summary') }}

),

customer_purchase_days as (

    select
        invoice_lines.customer_id,
        cast(invoice_lines.invoiced_at as date) as purchase_date

    from invoice_lines
    inner join customers
        on invoice_lines.customer_id = customers.customer_id
    where
        invoice_lines.outcome = 'valid'
        and cast(invoice_lines.invoiced_at as date)
        > customers.first_purchase_date
    group by
        invoice_lines.customer_id,
        cast(invoice_lines.invoiced_at as date)

),

daily_repeat_purchases as (

    select
        purchase_date,
        count(*) as repeat_purchases

    from customer_purchase_days
    group by purchase_date

)

select * from daily_repeat_purchases
