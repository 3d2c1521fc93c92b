{#- The pairs of as-of dates rpt_segment_migration compares, per period type:
    the earlier date must start a `starts_on` period (dbt.date_trunc), the
    later one is `months` months after it. Month: consecutive months; quarter:
    consecutive quarter starts; year: the same month a year later. -#}
{% macro segment_migration_periods() %}
    {{ return([
        {'period_type': 'month', 'months': 1, 'starts_on': 'month'},
        {'period_type': 'quarter', 'months': 3, 'starts_on': 'quarter'},
        {'period_type': 'year', 'months': 12, 'starts_on': 'month'},
    ]) }}
{% endmacro %}
