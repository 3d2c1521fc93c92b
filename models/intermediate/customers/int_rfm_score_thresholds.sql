{#-
    Quintile cut points of recency, frequency and monetary over all customers at the build's
    as-of date: the 20th, 40th, 60th and 80th percentiles (continuous interpolation). Scores
    are derived from these cut points alone, so equal values always get equal scores and
    anyone can reproduce a score from the published table. The macro
    rfm_score_thresholds_at computes the cut points of every date of the history alike.
-#}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

metrics as (

    {{ rfm_score_thresholds_at('customers') }}

)

select * from metrics
