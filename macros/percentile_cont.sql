{#-
    Continuous percentile of an expression as an aggregate (p between 0 and 1). The
    ordered-set syntax is standard SQL and runs on DuckDB, Postgres, Snowflake and Redshift;
    BigQuery needs its own implementation.
-#}
{% macro percentile_cont(expression, p) -%}
    {{ return(adapter.dispatch('percentile_cont')(expression, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expression }})
{%- endmacro %}
