{#-
    Types and renames every raw line, removing none. Each value is read as text and parsed
    by the project's macros, so a value that does not parse is flagged (and later rejected
    with the reason `unparseable`) instead of failing the build or vanishing.
-#}
{%- set raw = source('online_retail', 'invoice_lines') -%}
{%- set raw_columns = raw_column_names(raw) -%}
with

source as (

    select * from {{ raw }}

),

raw_text as (

    select
        row_number() over () as invoice_line_id,
        {{ clean_text(raw_columns.invoice_id) }} as invoice_id,
        {{ clean_text(raw_columns.stock_code) }} as stock_code,
        {{ clean_text(raw_columns.description) }} as description,
        {{ clean_text(raw_columns.country) }} as country,
        {{ clean_text(raw_columns.customer_id) }} as customer_id_text,
        {{ clean_text(raw_columns.quantity) }} as quantity_text,
        {{ clean_text(raw_columns.unit_price) }} as unit_price_text,
        {{ clean_text(raw_columns.invoiced_at) }} as invoiced_at_text

    from source

),

parsed as (

    select
        invoice_line_id,
        invoice_id,
        stock_code,
        description,
        country,
        {{ parse_integer('customer_id_text') }} as customer_id,
        {{ parse_integer('quantity_text') }} as quantity,
        {{ parse_number('unit_price_text') }} as unit_price,
        {{ parse_timestamp('invoiced_at_text') }} as invoiced_at,
        customer_id_text,
        quantity_text,
        unit_price_text,
        invoiced_at_text

    from raw_text

),

flagged as (

    select
        invoice_line_id,
        invoice_id,
        stock_code,
        description,
        country,
        customer_id,
        quantity,
        unit_price,
        nullif(
            concat_ws(
                ', ',
                case when invoice_id is null then 'invoice_id missing' end,
                case when stock_code is null then 'stock_code missing' end,
                case
                    when quantity_text is null then 'quantity missing'
                    when quantity is null then 'quantity unparseable'
                end,
                case
                    when unit_price_text is null then 'unit_price missing'
                    when unit_price is null then 'unit_price unparseable'
                end,
                case
                    when invoiced_at_text is null then 'invoiced_at missing'
                    when invoiced_at is null then 'invoiced_at unparseable'
                end,
                case
                    when customer_id_text is not null and customer_id is null
                        then 'customer_id unparseable'
                end
            ),
            ''
        ) as parse_problems,
        invoiced_at

    from parsed

)

select * from flagged
