{#-
    A double as bigint when it is a whole number that fits, else null ('17850.0' is a
    customer id, 17850.5 and 1e30 are not).
-#}
{% macro whole_number(expression) -%}
    {{ return(adapter.dispatch('whole_number')(expression)) }}
{%- endmacro %}

{% macro default__whole_number(expression) -%}
    case
        when {{ expression }} = floor({{ expression }})
            then try_cast({{ expression }} as bigint)
    end
{%- endmacro %}

{#- Spark's floor() returns bigint and fails on overflow; try_cast truncates. -#}
{% macro spark__whole_number(expression) -%}
    case
        when {{ expression }} = try_cast({{ expression }} as bigint)
            then try_cast({{ expression }} as bigint)
    end
{%- endmacro %}
