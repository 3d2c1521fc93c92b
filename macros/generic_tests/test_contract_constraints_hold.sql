{#-
    The constraints of the model's contract (not_null, unique, primary_key, check) as a
    data test: one row per broken constraint, with how many rows break it. The adapters of
    the var constraint_enforcing_adapters (DuckDB) enforce them when they write the table,
    so there the test is disabled; dbt-spark does not on Parquet tables, so there this test
    checks them. No database enforces a view's constraints: for a view (is_view=true) the
    test runs everywhere. As in the database, a check passes on null and unique ignores rows
    with a null key.
-#}
{% test contract_constraints_hold(model, is_view=false) %}

{{ config(enabled=is_view or target.type not in var('constraint_enforcing_adapters')) }}

{#- graph holds the model's constraints only when the test runs, not while dbt parses; a
    test's `where` makes `model` a subquery, named by the relation it selects from -#}
{%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
    | list if execute else [] %}
{%- set nodes = models | selectattr('alias', 'equalto', model.identifier) | list
    if model.identifier is defined and model.identifier
    else models | selectattr('relation_name') | selectattr('relation_name', 'in', model | string)
    | list %}
{%- if execute and not nodes %}
    {{ exceptions.raise_compiler_error(
        'contract_constraints_hold: no model of this project is ' ~ model) }}
{%- endif %}
{%- set constraints = [] %}
{%- for node in nodes[:1] %}
    {%- if is_view != (node.config.materialized == 'view') %}
        {{ exceptions.raise_compiler_error(
            'contract_constraints_hold on ' ~ node.name ~ ': is_view is ' ~ is_view
            ~ ' but the model is materialized as ' ~ node.config.materialized) }}
    {%- endif %}
    {%- for column in node.columns.values() %}
        {%- for constraint in column.constraints %}
            {%- do constraints.append((constraint, [column.name])) %}
        {%- endfor %}
    {%- endfor %}
    {%- for constraint in node.constraints %}
        {%- do constraints.append((constraint, constraint.columns)) %}
    {%- endfor %}
{%- endfor %}

{%- set rules = [] %}
{%- for constraint, columns in constraints %}
    {%- set described = constraint.name or (constraint.type ~ ' ' ~ (
        (constraint.expression or '') if constraint.type == 'check' else columns | join(', ')
    )) %}
    {%- set label = "'" ~ (described | replace('\n', ' ') | trim | replace("'", "''")) ~ "'" %}
    {%- if constraint.type == 'not_null' %}
        {%- do rules.append((label, 'where ' ~ columns[0] ~ ' is null')) %}
    {%- elif constraint.type == 'check' %}
        {%- do rules.append((label, 'where not (' ~ constraint.expression ~ ')')) %}
    {%- elif constraint.type in ('unique', 'primary_key') %}
        {%- if constraint.type == 'primary_key' %}
            {%- do rules.append((label, 'where ' ~ columns | join(' is null or ') ~ ' is null')) %}
        {%- endif %}
        {%- do rules.append((label, 'where ' ~ columns | join(' is not null and ')
            ~ ' is not null group by ' ~ columns | join(', ') ~ ' having count(*) > 1')) %}
    {%- endif %}
{%- endfor %}

{%- for label, condition in rules %}
select {{ label }} as broken_constraint, count(*) as rows_breaking
from (select 1 as breaking from {{ model }} {{ condition }}) as breaking_rows
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{% else %}
select 'none' as broken_constraint, 0 as rows_breaking
where false
{% endfor %}

{% endtest %}
