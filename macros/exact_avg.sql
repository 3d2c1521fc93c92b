{#-
    Mean that does not depend on the order rows arrive in (see exact_sum): the values are
    summed as fixed-point decimals with `scale` places (enough for [0, 1]-scaled features at
    the default 12) and divided once.
-#}
{% macro exact_avg(expression, scale=12) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ scale }})))
        / count({{ expression }}) as double precision
    )
{%- endmacro %}
