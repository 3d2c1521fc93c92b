{#-
    Scores each customer 1-5 on recency, frequency and monetary against the quintile cut
    points (5 = most recent, most frequent, highest spend): one point per cut point passed,
    so ties always share a score. The R x F cell then names the rule-based segment through
    the seed rfm_segment_map.
-#}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

thresholds as (

    select * from {{ ref('int_rfm_score_thresholds') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

scored as (

    select
        customers.*,
        5 - {{ cut_points_passed('customers.recency_days', 'recency_days') }}
            as r_score,
        1 + {{ cut_points_passed('customers.frequency', 'frequency') }}
            as f_score,
        1 + {{ cut_points_passed('customers.monetary', 'monetary') }}
            as m_score

    from customers
    cross join thresholds as recency_days
    cross join thresholds as frequency
    cross join thresholds as monetary
    where
        recency_days.metric = 'recency_days'
        and frequency.metric = 'frequency'
        and monetary.metric = 'monetary'

),

segmented as (

    select
        scored.customer_id,
        scored.country,
        cast(scored.r_score as varchar)
        || cast(scored.f_score as varchar)
        || cast(scored.m_score as varchar) as rfm_cell,
        segment_map.rfm_segment,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.monetary_net,
        scored.average_order_value,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.as_of_date,
        scored.first_purchase_at,
        scored.last_purchase_at

    from scored
    left join segment_map
        on
            scored.r_score = segment_map.r_score
            and scored.f_score = segment_map.f_score

)

select * from segmented
