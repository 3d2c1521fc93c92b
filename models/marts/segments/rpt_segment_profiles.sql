{#-
    value_score is the value score of the cluster naming rule (docs block
    cluster_naming_rule), computed from the segment's centre: the mean scaled
    features of its customers.
-#}
with

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

customer_method_segments as (

    {%- for method in clustering_methods() %}
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
        {{ segment_profile_measures(partition_by='method') }},
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
