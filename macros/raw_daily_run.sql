{#-
    Daily runs (var raw_new_lines_from, set by `segmentation run` when only new files came
    in): the line-level tables are incremental models that append the new lines only.
    Without the var they are rebuilt from every line on every build (config full_refresh),
    as a plain `dbt build` on an existing warehouse expects.
-#}
{#- What a refused daily run tells the user to do; the CLI's refusals say the same
    (segmentation.ingest.folder.FULL_REFRESH_HINT, tested to agree). -#}
{% macro raw_full_refresh_hint() -%}
    {{ return(
        'Run a full refresh: segmentation run --full-refresh '
        ~ '(make run DATA=... FULL_REFRESH=1).'
    ) }}
{%- endmacro %}

{% macro raw_new_lines_requested() -%}
    {{ return(var('raw_new_lines_from') is not none) }}
{%- endmacro %}

{#-
    The config of a model that a daily run brings up to date from the new lines: rebuilt
    on every other build (full_refresh), appended to in a daily run, or, given a
    unique_key, its rows of the keys the new lines touch replaced (delete+insert).
-#}
{% macro raw_daily_incremental_config(unique_key=none) -%}
    {%- set daily = raw_new_lines_requested() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert' if daily and unique_key else 'append',
        unique_key=unique_key if daily else none,
        full_refresh=not daily,
        on_schema_change='fail',
    ) }}
{%- endmacro %}

{#- True while a line-level model appends the new lines to its existing table. -#}
{% macro raw_loads_new_lines_only() -%}
    {{ return(raw_new_lines_requested() and is_incremental()) }}
{%- endmacro %}

{#-
    The line-level table of all lines loaded before this build
    (int_invoice_lines_classified), for models upstream of it that compare the new lines
    with the old ones. Named, not ref'd: dbt's graph has it downstream of them, and it is
    read before this build appends to it.
-#}
{% macro raw_loaded_lines() -%}
    {%- if not execute -%}
        {{ return(this.incorporate(path={'identifier': 'int_invoice_lines_classified'})) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_invoice_lines_classified'
    ) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error(
            'A daily run (var raw_new_lines_from) found no table '
            ~ 'int_invoice_lines_classified of the lines loaded before. '
            ~ raw_full_refresh_hint()) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- SQL that holds for the lines this build appends: those from var raw_new_lines_from on
    in a daily run, every line otherwise. -#}
{% macro raw_is_new_line(line_id_column) -%}
    {{ return(raw_new_lines_condition(line_id_column) if raw_loads_new_lines_only() else 'true') }}
{%- endmacro %}

{#- SQL that holds for a daily run's new lines, in any model or test: every line outside
    a daily run. -#}
{% macro raw_new_lines_condition(line_id_column) -%}
    {%- if raw_new_lines_requested() -%}
        {{ return(line_id_column ~ ' >= ' ~ (var('raw_new_lines_from') | int)) }}
    {%- endif -%}
    {{ return('true') }}
{%- endmacro %}

{#- The raw files (entries of var raw_files) a daily run loads: those from var
    raw_new_lines_from on; every file outside a daily run. -#}
{% macro raw_new_files() -%}
    {%- set first_new = var('raw_new_lines_from') -%}
    {%- set files = [] -%}
    {%- for file in var('raw_files') or [] -%}
        {%- if first_new is none or file.first_line_id >= first_new -%}
            {%- do files.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#- SQL that holds for the raw lines of the files a daily run loads, by the source's
    filename column (a folder of files); every line outside a daily run. -#}
{% macro raw_new_files_condition(filename_column) -%}
    {%- if not (raw_new_lines_requested() and var('raw_files')) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for file in raw_new_files() -%}
        {%- do names.append("'" ~ (file.path | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(filename_column ~ ' in (' ~ names | join(', ') ~ ')' if names else 'false') }}
{%- endmacro %}

{#-
    dbt's get_where_subquery (the `where` config of a data test) with two placeholders,
    since dbt renders `where` without the project's macros: __raw_new_lines__ becomes
    raw_new_lines_condition('invoice_line_id'), __raw_new_files__
    raw_new_files_condition('filename'). A daily run then tests the lines it appends: the
    line-level tables only append, and the lines loaded before were tested when they came.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set where = where
        | replace('__raw_new_lines__', raw_new_lines_condition('invoice_line_id'))
        | replace('__raw_new_files__', raw_new_files_condition('filename')) -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#- The first and last time of a daily run's new lines, as a SELECT of one row
    (first_invoiced_at, last_invoiced_at; nulls without new lines), for the customer-level
    models downstream of the lines that recompute only what those times touch. -#}
{% macro raw_new_line_times() -%}
    select
        min(invoiced_at) as first_invoiced_at,
        max(invoiced_at) as last_invoiced_at

    from {{ ref('int_invoice_lines_classified') }}
    where {{ raw_is_new_line('invoice_line_id') }}
{%- endmacro %}
