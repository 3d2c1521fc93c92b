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
        {%- for cut in [20, 40, 60, 80] %}
        round({{ percentile_cont(metric, cut / 100) }}, 4) as p{{ cut }}
        {{- ',' if not loop.last }}
        {%- endfor %}

    from customers
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from metrics
