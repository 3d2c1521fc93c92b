{#-
    The 8-byte floating-point type: `double precision` in standard SQL (DuckDB, Postgres,
    Snowflake, Redshift), `double` on Spark.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
