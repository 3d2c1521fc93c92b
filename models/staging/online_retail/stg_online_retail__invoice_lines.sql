{#-
    Types and renames every raw line, removing none. A value that does not parse is
    flagged (and later rejected with the reason `unparseable`) instead of failing the build
    or vanishing; macro typed_raw_values says how each column is read and parsed.

    The raw lines are a file (var raw_data_path) or a relation (var raw_relation). The line
    id is the line's position in the file, or the relation's line-number column (var
    raw_line_number_column); macro raw_line_number says how each database numbers them.
-#}
{%- set raw = source('online_retail', 'invoice_lines') -%}
{%- set raw_columns = raw_column_names(raw) -%}
{%- set typed = typed_raw_values(raw, raw_columns) -%}
with

source as (

    select * from {{ raw }}

),

raw_values as (

    select
        {{ raw_line_number(raw_columns) }} as invoice_line_id,
        {{ clean_text(raw_columns.invoice_id) }} as invoice_id,
        {{ clean_text(raw_columns.stock_code) }} as stock_code,
        {{ clean_text(raw_columns.description) }} as description,
        {%- for column, value in typed.items() %}
        {{ value.raw }} as {{ column }}_raw,
        {%- endfor %}
        {{ clean_text(raw_columns.country) }} as country

    from source

),

parsed as (

    select
        {%- for column, value in typed.items() %}
        {{ value.parsed }} as {{ column }},
        {%- endfor %}
        raw_values.*

    from raw_values

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
                    when quantity_raw is null then 'quantity missing'
                    when quantity is null then 'quantity unparseable'
                end,
                case
                    when unit_price_raw is null then 'unit_price missing'
                    when unit_price is null then 'unit_price unparseable'
                end,
                case
                    when invoiced_at_raw is null then 'invoiced_at missing'
                    when invoiced_at is null then 'invoiced_at unparseable'
                end,
                case
                    when customer_id_raw is not null and customer_id is null
                        then 'customer_id unparseable'
                end
            ),
            ''
        ) as parse_problems,
        invoiced_at

    from parsed

)

select * from flagged
