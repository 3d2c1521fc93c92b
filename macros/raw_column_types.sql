{#-
    The column types of the raw relation: {quoted name: upper-case type name}, as the
    database describes a query over it (so a file read in place works as well as a table).
-#}
{% macro raw_column_types(raw_relation) -%}
    {{ return(adapter.dispatch('raw_column_types')(raw_relation)) }}
{%- endmacro %}

{% macro default__raw_column_types(raw_relation) -%}
    {{ return(_raw_column_types_described(
        'describe select * from ' ~ raw_relation
    )) }}
{%- endmacro %}

{% macro spark__raw_column_types(raw_relation) -%}
    {{ return(_raw_column_types_described(
        'describe query select * from ' ~ raw_relation
    )) }}
{%- endmacro %}

{% macro _raw_column_types_described(describe_sql) -%}
    {#- both describes give one row per column: its name, then its type -#}
    {%- set types = {} -%}
    {%- for row in run_query(describe_sql).rows -%}
        {%- do types.update({raw_quoted_name(row[0]): row[1] | upper}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}
