{#-
    A row invariant: fails on every row for which the SQL expression is not true
    (false or null), e.g. `monetary_net <= monetary`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
