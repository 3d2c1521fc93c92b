{#-
    Text to a finite double: NaN and infinity count as unparseable (null), like any text
    that is no number.
-#}
{% macro parse_number(text) -%}
    {{ return(adapter.dispatch('parse_number')(text)) }}
{%- endmacro %}

{% macro default__parse_number(text) -%}
    {{ finite_number('try_cast(trim(' ~ text ~ ') as double)') }}
{%- endmacro %}
