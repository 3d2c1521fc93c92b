{#-
    The valid lines of int_invoice_lines_classified. A view: the classified lines are already
    a table of every line (a daily run appends to it), so a second copy of most of them
    would only cost its write; the contract's constraints are checked by the test
    contract_constraints_hold, as no database enforces a view's.
-#}
{{ config(materialized='view') }}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

valid_lines as (

    select
        invoice_line_id,
        invoice_id,
        stock_code,
        customer_id,
        description,
        country,
        quantity,
        unit_price,
        line_amount,
        cast(invoiced_at as date) as invoice_date,
        invoiced_at

    from invoice_lines
    where outcome = 'valid'

)

select * from valid_lines
