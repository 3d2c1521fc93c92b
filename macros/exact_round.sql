{#-
    Rounds to `places` decimals half away from zero on the decimal value, the same on every
    database. round() on a double does not agree across engines at a half: 96.05 / 2 is
    stored as 48.02499999..., which DuckDB rounds down and Spark (through its decimal
    text) up; as a decimal with 6 places it is 48.025 everywhere and rounds to 48.03.
-#}
{% macro exact_round(expression, places=2) -%}
    cast(
        round(cast({{ expression }} as decimal(38, 6)), {{ places }})
        as {{ type_double() }}
    )
{%- endmacro %}
