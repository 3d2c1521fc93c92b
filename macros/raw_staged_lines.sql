{#-
    The staging SQL of the raw lines (models stg_online_retail__invoice_lines and
    stg_online_retail__new_invoice_lines): types and renames every line read, removing
    none. A value that does not parse is flagged (and later rejected with the reason
    `unparseable`) instead of failing the build or vanishing; macro typed_raw_values says
    how each column is read and parsed.

    `new_lines_only`: with a folder of files (var raw_files) and a daily run (var
    raw_new_lines_from), read only the files from that line id on; DuckDB then skips the
    other files. Otherwise every line is read.
-#}
{% macro raw_staged_lines(new_lines_only=false) -%}
{%- set raw = source('online_retail', 'invoice_lines') -%}
{%- set raw_columns = raw_column_names(raw) -%}
{%- set typed = typed_raw_values(raw, raw_columns) -%}
{%- set files = [] if var('raw_relation') else (var('raw_files') or []) -%}
{%- set files_read = (raw_new_files() if new_lines_only else files | list) if files else [] -%}
{#- no new file: the last file's reader, which yields no line -#}
{%- set nothing_new = files and not files_read -%}
{%- if nothing_new -%}
    {%- do files_read.append(files[-1]) -%}
{%- endif -%}
{%- set first_line_id = files_read[0].first_line_id if files else 1 -%}
with

{% if files -%}
raw_file_first_lines as (

    select * from (
        values
        {%- for file in files_read %}
        ('{{ file.path | string | replace("'", "''") }}', {{ file.first_line_id | int }})
        {{- ',' if not loop.last }}
        {%- endfor %}
    ) as raw_files (filename, raw_file_first_line_id)

),

source as (

    {#- Parquet: each line's number in its file plus its file's first line id
        (macro raw_line_number); CSV lines are numbered in read order, no join #}
    select
        raw_lines.*
        {%- if raw_files_are_parquet() %},
        raw_file_first_lines.raw_file_first_line_id
        {%- endif %}

    from {{ raw }} as raw_lines
    {%- if raw_files_are_parquet() %}
    inner join raw_file_first_lines
        on raw_lines.filename = raw_file_first_lines.filename
    {%- endif %}
    {%- if nothing_new %}
    where false
    {%- elif files_read | length < files | length %}
    {#- a list of constants, which DuckDB turns into a list of files to open #}
    where raw_lines.filename in (
        {%- for file in files_read %}
        '{{ file.path | string | replace("'", "''") }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}

),
{%- else -%}
source as (

    select * from {{ raw }}

),
{%- endif %}

raw_values as (

    select
        {{ raw_line_number(raw_columns, first_line_id) }} as invoice_line_id,
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
{%- endmacro %}
