with

customers as (

    select * from {{ ref('dim_customers') }}

),

rfm_segments as (

    select * from {{ ref('rfm_segments') }}

),

segment_profiles as (

    select
        rfm_segment,
        {{ segment_profile_measures() }},
        {{ exact_sum('monetary') }} as revenue

    from customers
    group by 1

),

playbook as (

    select
        segment_profiles.rfm_segment,
        rfm_segments.segment_label,
        rfm_segments.description,
        rfm_segments.marketing_action,
        cast(row_number() over (
            order by
                segment_profiles.revenue desc, segment_profiles.rfm_segment asc
        ) as {{ dbt.type_bigint() }}) as revenue_rank,
        segment_profiles.customers,
        segment_profiles.customer_share,
        segment_profiles.mean_recency_days,
        segment_profiles.median_recency_days,
        segment_profiles.mean_frequency,
        segment_profiles.median_frequency,
        segment_profiles.mean_monetary,
        segment_profiles.median_monetary,
        segment_profiles.revenue,
        segment_profiles.revenue_share

    from segment_profiles
    left join rfm_segments
        on segment_profiles.rfm_segment = rfm_segments.rfm_segment

)

select * from playbook
