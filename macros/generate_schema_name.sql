{#-
    Schemas are named plainly (`staging`, `intermediate`, `marts`, `seeds`) instead of dbt's
    default `<target schema>_<custom schema>`, so consumers query `marts.dim_customers` on
    every target. Nodes without a custom schema land in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
