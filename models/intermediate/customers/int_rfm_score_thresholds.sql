{#-
    Quintile cut points of recency, frequency and monetary over all customers: the 20th,
    40th, 60th and 80th percentiles (continuous interpolation). Scores are derived from these
    cut points alone, so equal values always get equal scores and anyone can reproduce a
    score from the published table.
-#}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

metrics as (

    {%- for metric in ['recency_days', 'frequency', 'monetary'] %}
    select
        '{{ metric }}' as metric,
        round({{ percentile_cont(metric, 0.2) }}, 4) as p20,
        round({{ percentile_cont(metric, 0.4) }}, 4) as p40,
        round({{ percentile_cont(metric, 0.6) }}, 4) as p60,
        round({{ percentile_cont(metric, 0.8) }}, 4) as p80

    from customers
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from metrics
