{#-
    A raw column name as a quoted identifier, whatever it contains: the quote character
    inside a name is doubled, so a header or a var cannot break out of the identifier.
    DuckDB (and standard SQL) quote with ", Spark with `.
-#}
{% macro raw_quoted_name(name) -%}
    {{ return(adapter.dispatch('raw_quoted_name')(name)) }}
{%- endmacro %}

{% macro default__raw_quoted_name(name) -%}
    {{ return('"' ~ name | replace('"', '""') ~ '"') }}
{%- endmacro %}

{% macro spark__raw_quoted_name(name) -%}
    {{ return('`' ~ name | replace('`', '``') ~ '`') }}
{%- endmacro %}
