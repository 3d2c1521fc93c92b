{#-
    dbt's cast() on Spark (it builds the empty schema a contract is checked against). The
    contracts declare text columns as `varchar`, which Spark accepts only with a length:
    there it means Spark's `string`, as it means unbounded text on DuckDB.
-#}
{% macro spark__cast(field, type) -%}
    {%- set spark_type = 'string'
        if type | trim | lower in ['varchar', 'text'] else type -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}
