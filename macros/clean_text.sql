{#- A raw value as trimmed text; blank becomes null, so "missing" has one spelling. -#}
{% macro clean_text(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
