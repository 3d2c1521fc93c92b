{#-
    The valid and cancelled lines of known customers reduced to one row per customer,
    invoice, timestamp, country and outcome, with their count and exact decimal sum: the
    finest grain at which an as-of date can cut the lines. The RFM of the build's as-of date
    and of every date of the history (macro customers_rfm_at) read these rows, so the lines
    are read once for both.
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

line_groups as (

    select
        customer_id,
        invoice_id,
        country,
        outcome,
        count(*) as line_count,
        sum(cast(line_amount as decimal(38, 6))) as line_amount,
        invoiced_at

    from invoice_lines
    where outcome in ('valid', 'cancellation')
    group by customer_id, invoice_id, country, outcome, invoiced_at

)

select * from line_groups
