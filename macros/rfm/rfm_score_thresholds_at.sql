{#-
    Quintile cut points (20th, 40th, 60th and 80th percentiles, continuous) of recency,
    frequency and monetary over the customers of each as-of date of `customers` (a relation
    or CTE with the columns of customers_rfm_at): one row per as-of date and metric.
-#}
{% macro rfm_score_thresholds_at(customers) -%}
    {%- for metric in rfm_score_metrics() %}
    select
        '{{ metric }}' as metric,
        round({{ percentile_cont(metric, 0.2) }}, 4) as p20,
        round({{ percentile_cont(metric, 0.4) }}, 4) as p40,
        round({{ percentile_cont(metric, 0.6) }}, 4) as p60,
        round({{ percentile_cont(metric, 0.8) }}, 4) as p80,
        as_of_date

    from {{ customers }}
    group by as_of_date
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
