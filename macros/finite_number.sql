{#- A double, or null when it is NaN or infinite: such a value is unparseable. -#}
{% macro finite_number(expression) -%}
    {{ return(adapter.dispatch('finite_number')(expression)) }}
{%- endmacro %}

{% macro default__finite_number(expression) -%}
    case
        when isfinite({{ expression }})
            then cast({{ expression }} as double)
    end
{%- endmacro %}

{% macro spark__finite_number(expression) -%}
    case
        when
            not isnan({{ expression }})
            and abs({{ expression }}) != double('infinity')
            then cast({{ expression }} as double)
    end
{%- endmacro %}
