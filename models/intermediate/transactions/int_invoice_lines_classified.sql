{#-
    Gives every raw line exactly one outcome: the first rule of the macro
    transaction_outcome_rules that holds, in the order of the seed transaction_outcomes.
    The duplicate and non-product rules can be switched off with vars (the figures
    published for this data set keep both kinds of line).

    A view, not a table: the rules are a cheap per-line expression, and each reader needs
    a few columns only, which DuckDB then reads alone.
-#}
{{ config(materialized='view') }}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_copy_numbered') }}

),

non_product_stock_codes as (

    select * from {{ ref('non_product_stock_codes') }}

),

plausibility_bounds as (

    select * from {{ ref('int_invoice_line_plausibility_bounds') }}

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
            {%- for rule in transaction_outcome_rules() %}
            {%- if rule.condition is none %}
            else '{{ rule.outcome }}'
            {%- elif rule.switch is not defined or var(rule.switch) %}
            when ({{ rule.condition }})
                then '{{ rule.outcome }}'
            {%- endif %}
            {%- endfor %}
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
    cross join plausibility_bounds

)

select * from classified
