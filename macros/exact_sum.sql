{#-
    Sum that does not depend on the order rows arrive in. A sum of doubles rounds
    differently as threads split the rows differently, so two builds of the same data could
    disagree in the last digit; summing fixed-point decimals is exact. `scale` is the number
    of decimal places kept: 6 is more than any price carries; use more for small fractions.
-#}
{% macro exact_sum(expression, scale=6) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ scale }}))) as {{ type_double() }}
    )
{%- endmacro %}
