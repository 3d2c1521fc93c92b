{#-
    Mean that does not depend on the order rows arrive in (see exact_sum): the values are
    summed as fixed-point decimals with `scale` places (enough for [0, 1]-scaled features at
    the default 12), and the exact sum, as a double, is divided once by the count (a
    decimal divided by a count would be rounded to a scale that differs between databases).
-#}
{% macro exact_avg(expression, scale=12) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ scale }}))) as {{ type_double() }}
    )
    / count({{ expression }})
{%- endmacro %}
