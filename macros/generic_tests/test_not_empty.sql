{#- Fails when the model has no row at all: an empty mart is never a result. -#}
{% test not_empty(model) %}

select 'no rows' as problem
from (select count(*) as row_count from {{ model }}) as counted
where row_count = 0

{% endtest %}
