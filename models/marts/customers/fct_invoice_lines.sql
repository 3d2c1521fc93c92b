{#-
    The valid lines of int_invoice_lines_classified. An incremental table (macro
    raw_daily_run): a daily run appends the new lines only; its readers, and the contract's
    constraints, get a table either way.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=not raw_new_lines_requested(),
    on_schema_change='fail',
) }}
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
    where outcome = 'valid' and {{ raw_is_new_line('invoice_line_id') }}

)

select * from valid_lines
