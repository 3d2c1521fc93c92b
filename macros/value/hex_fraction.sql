{#-
    The first eight digits of a lower-case hexadecimal text (an md5 from dbt.hash) read as
    a fraction in [0, 1): digit by digit with dbt.position, summed as a bigint and divided
    once (`/` of integers is a double on every adapter), so every adapter computes the same
    number. A pytest recomputes it with hashlib.
-#}
{% macro hex_fraction(expression) -%}
    (
    {%- for digit in range(8) %}
        {% if not loop.first %}+ {% endif -%}
        cast({{ dbt.position(
            "substr(" ~ expression ~ ", " ~ (digit + 1) ~ ", 1)",
            "'0123456789abcdef'"
        ) | trim }} - 1 as {{ dbt.type_bigint() }})
        * {{ 16 ** (7 - digit) }}
    {%- endfor %}
    ) / {{ 16 ** 8 }}
{%- endmacro %}
