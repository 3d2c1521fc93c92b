{#-
    value_score is the documented score of segment.naming, computed from the segment's
    centre (mean scaled features of its customers):
    (frequency_scaled + monetary_scaled + (1 - recency_scaled)) / 3.
-#}
with

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

customer_method_segments as (

    {%- for method in ['kmeans', 'agglomerative', 'gmm'] %}
    select
        '{{ method }}' as method,  -- noqa: RF04
        {{ method }}_segment as segment,
        {{ method }}_segment_rank as segment_rank,
        recency_days,
        frequency,
        monetary,
        recency_scaled,
        frequency_scaled,
        monetary_scaled

    from customer_segments
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

segment_profiles as (

    select
        method,
        segment,
        segment_rank,
        count(*) as customers,
        count(*) / sum(count(*)) over (partition by method) as customer_share,
        {{ exact_avg('recency_days') }} as mean_recency_days,
        {{ percentile_cont('recency_days', 0.5) }} as median_recency_days,
        {{ exact_avg('frequency') }} as mean_frequency,
        {{ percentile_cont('frequency', 0.5) }} as median_frequency,
        {{ exact_avg('monetary') }} as mean_monetary,
        {{ percentile_cont('monetary', 0.5) }} as median_monetary,
        {{ exact_sum('monetary') }}
        / cast(
            sum(sum(cast(monetary as decimal(38, 6)))) over (
                partition by method
            ) as double precision
        ) as revenue_share,
        (
            {{ exact_avg('frequency_scaled') }}
            + {{ exact_avg('monetary_scaled') }}
            + 1
            - {{ exact_avg('recency_scaled') }}
        ) / 3 as value_score

    from customer_method_segments
    group by method, segment, segment_rank

)

select * from segment_profiles
