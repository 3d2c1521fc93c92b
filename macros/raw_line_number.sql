{#-
    The SQL of each raw line's number (staging's invoice_line_id, 1 = the first line).
    `raw_columns` is the mapping of raw_column_names. With the var
    `raw_line_number_column`, that column of the raw relation is the number. Otherwise
    DuckDB numbers the lines in the order it reads them: a single Parquet file by its
    reader (file_row_number), a folder of Parquet files by each file's reader plus the
    file's first line id (column raw_file_first_line_id, macro raw_staged_lines), anything
    else by row_number() over () from `first_line_id` on, which keeps file or insertion
    order because the profile preserves DuckDB's insertion order.
-#}
{% macro raw_line_number(raw_columns, first_line_id=1) -%}
    {{ return(adapter.dispatch('raw_line_number')(raw_columns, first_line_id)) }}
{%- endmacro %}

{% macro default__raw_line_number(raw_columns, first_line_id=1) -%}
    {%- if var('raw_line_number_column') -%}
        cast({{ raw_quoted_name(var('raw_line_number_column')) }} as bigint)
    {%- elif raw_is_single_parquet_file() -%}
        file_row_number + 1
    {%- elif raw_files_are_parquet() -%}
        file_row_number + raw_file_first_line_id
    {%- else -%}
        row_number() over (){{ ' + ' ~ (first_line_id - 1) if first_line_id != 1 }}
    {%- endif -%}
{%- endmacro %}

{#-
    A Spark table has no row order: without a line-number column, lines are numbered in
    the order of their raw values, which is the same on every run (lines that tie are
    copies of each other, and which copy comes first changes no outcome count).
-#}
{% macro spark__raw_line_number(raw_columns, first_line_id=1) -%}
    {%- if var('raw_line_number_column') -%}
        cast({{ raw_quoted_name(var('raw_line_number_column')) }} as bigint)
    {%- else -%}
        row_number() over (order by {{ raw_columns.values() | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- True when the raw lines are a folder (var raw_files) of Parquet files. -#}
{% macro raw_files_are_parquet() -%}
    {{ return(
        not var('raw_relation') and var('raw_files') is not none and var('raw_files')
        and (var('raw_files')[0].path | string).lower().endswith('.parquet')
    ) }}
{%- endmacro %}
