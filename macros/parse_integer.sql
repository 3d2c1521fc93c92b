{#-
    Text to integer that accepts what real exports contain ('17850', ' 17850 ', '17850.0')
    and yields null for anything else, so the caller can tell "missing" from "unparseable".
-#}
{% macro parse_integer(text) -%}
    {{ return(adapter.dispatch('parse_integer')(text)) }}
{%- endmacro %}

{% macro default__parse_integer(text) -%}
    {{ whole_number('try_cast(trim(' ~ text ~ ') as double)') }}
{%- endmacro %}
