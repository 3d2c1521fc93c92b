{#-
    Sum that does not depend on the order rows arrive in. A sum of doubles rounds
    differently as threads split the rows differently, so two builds of the same data could
    disagree in the last digit; summing fixed-point decimals is exact. `scale` is the number
    of decimal places kept: 6 is more than any price carries; use more for small fractions.
    `over`: a window (the text inside `over (...)`), for a total beside each row.
-#}
{% macro exact_sum(expression, scale=6, over=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ scale }})))
        {%- if over is not none %} over ({{ over }}){% endif %} as {{ type_double() }}
    )
{%- endmacro %}
