{#-
    Gives every raw line exactly one outcome; the first rule that matches wins, in the order
    of the seed transaction_outcomes. The duplicate and non-product rules can be switched
    off with vars (the figures published for this data set keep both kinds of line).

    A view, not a table: the rules are a cheap per-line expression, while writing every
    line again with its text columns was one of the slowest steps of the build (~8 s per
    10M lines). Each reader needs a few columns only, and DuckDB then reads just those.
-#}
{{ config(materialized='view') }}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_copy_numbered') }}

),

non_product_stock_codes as (

    select * from {{ ref('non_product_stock_codes') }}

),

classified as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoice_lines.stock_code,
        invoice_lines.description,
        invoice_lines.country,
        invoice_lines.parse_problems,
        case
            when invoice_lines.parse_problems is not null
                then 'unparseable'
            when invoice_lines.customer_id is null
                then 'missing_customer_id'
            when upper(invoice_lines.invoice_id) like 'C%'
                then 'cancellation'
            when upper(invoice_lines.invoice_id) like 'A%'
                then 'adjustment'
            when invoice_lines.quantity <= 0
                then 'non_positive_quantity'
            when invoice_lines.unit_price <= 0
                then 'non_positive_price'
            {%- if var('reject_non_product_stock_codes') %}
            when non_product_stock_codes.stock_code is not null
                then 'non_product_stock_code'
            {%- endif %}
            {%- if var('reject_duplicates') %}
            when invoice_lines.copy_number > 1
                then 'duplicate'
            {%- endif %}
            else 'valid'
        end as outcome,
        invoice_lines.customer_id,
        invoice_lines.copy_number,
        invoice_lines.quantity,
        invoice_lines.unit_price,
        invoice_lines.quantity * invoice_lines.unit_price as line_amount,
        invoice_lines.invoiced_at

    from invoice_lines
    left join non_product_stock_codes
        on invoice_lines.stock_code = non_product_stock_codes.stock_code

)

select * from classified
