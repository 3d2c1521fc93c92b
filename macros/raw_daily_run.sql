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
    {%- if raw_loads_new_lines_only() -%}
        {{ line_id_column }} >= {{ var('raw_new_lines_from') | int }}
    {%- else -%}
        true
    {%- endif -%}
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
