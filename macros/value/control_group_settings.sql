{#-
    The control group's vars, checked where they reach SQL: the share a number in [0, 1],
    the salt a non-empty text (quoted for the adapter).
-#}
{% macro control_group_share() -%}
    {%- set share = var('control_group_share') -%}
    {%- if share is not number or share is sameas true or share is sameas false
        or share < 0 or share > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var control_group_share must be a number in [0, 1], got " ~ share
        ) }}
    {%- endif -%}
    {{ return(share) }}
{%- endmacro %}

{% macro control_group_salt() -%}
    {%- set salt = var('control_group_salt') | string -%}
    {%- if salt | trim == '' -%}
        {{ exceptions.raise_compiler_error("var control_group_salt must be a non-empty text") }}
    {%- endif -%}
    {{ return(dbt.string_literal(dbt.escape_single_quotes(salt))) }}
{%- endmacro %}
