{#-
    The segment history: RFM, scores and rule-based segment of every customer at every
    as-of date (int_customers_rfm_scored_history) beside the clustering segments the current
    models give that date's RFM (int_customers_segment_history).
-#}
with

as_of_dates as (

    select * from {{ ref('int_rfm_history_as_of_dates') }}

),

rfm_history as (

    select * from {{ ref('int_customers_rfm_scored_history') }}

),

segment_history as (

    select * from {{ ref('int_customers_segment_history') }}

),

customer_segment_history as (

    select
        rfm_history.customer_id,
        rfm_history.rfm_cell,
        rfm_history.rfm_segment,
        segment_history.kmeans_segment,
        segment_history.agglomerative_segment,
        segment_history.gmm_segment,
        cast(rfm_history.recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(rfm_history.frequency as {{ dbt.type_int() }}) as frequency,
        rfm_history.monetary,
        rfm_history.monetary_net,
        rfm_history.r_score,
        rfm_history.f_score,
        rfm_history.m_score,
        segment_history.kmeans_segment_rank,
        segment_history.agglomerative_segment_rank,
        segment_history.gmm_segment_rank,
        as_of_dates.is_build_as_of_date,
        rfm_history.as_of_date,
        as_of_dates.previous_as_of_date

    from rfm_history
    inner join as_of_dates
        on rfm_history.as_of_date = as_of_dates.as_of_date
    inner join segment_history
        on
            rfm_history.customer_id = segment_history.customer_id
            and rfm_history.as_of_date = segment_history.as_of_date

)

select * from customer_segment_history
