{#-
    Scores each customer 1-5 on recency, frequency and monetary against the quintile cut
    points (5 = most recent, most frequent, highest spend): one point per cut point passed,
    so ties always share a score. The R x F cell then names the rule-based segment through
    the seed rfm_segment_map. The macro rfm_scored_at scores every date of the history alike.
-#}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

thresholds as (

    select * from {{ ref('int_rfm_score_thresholds') }}

),

segmented as (

    {{ rfm_scored_at('customers', 'thresholds') }}

)

select * from segmented
