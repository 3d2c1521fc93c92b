-- Customers who were rule-based champions a quarter ago and are not now, most
-- valuable first: where each one went, with that segment's marketing action,
-- and what they bought since. Now is the latest as-of date of the segment
-- history (the build's); a quarter ago is the history's date three months
-- before the first day of its month.

with

segment_history as (

    select * from {{ ref('fct_customer_segment_history') }}

),

rfm_segments as (

    select * from {{ ref('rfm_segments') }}

),

current_date_of_history as (

    select max(as_of_date) as as_of_date
    from segment_history

),

quarter_ago as (

    select
        cast(
            {{ dbt.dateadd(
                'month', -3, dbt.date_trunc('month', 'as_of_date')
            ) }} as date
        ) as as_of_date

    from current_date_of_history

),

champions_a_quarter_ago as (

    select segment_history.*
    from segment_history
    inner join quarter_ago
        on segment_history.as_of_date = quarter_ago.as_of_date
    where segment_history.rfm_segment = 'champions'

),

current_segments as (

    select segment_history.*
    from segment_history
    inner join current_date_of_history
        on segment_history.as_of_date = current_date_of_history.as_of_date

),

champions_who_slipped as (

    select
        current_segments.customer_id,
        current_segments.rfm_segment,
        rfm_segments.segment_label,
        rfm_segments.marketing_action,
        champions_a_quarter_ago.rfm_cell as rfm_cell_a_quarter_ago,
        current_segments.rfm_cell,
        current_segments.kmeans_segment,
        current_segments.recency_days,
        current_segments.frequency,
        current_segments.monetary,
        current_segments.monetary - champions_a_quarter_ago.monetary
            as revenue_since_a_quarter_ago,
        champions_a_quarter_ago.as_of_date as champion_as_of_date,
        current_segments.as_of_date

    from champions_a_quarter_ago
    inner join current_segments
        on champions_a_quarter_ago.customer_id = current_segments.customer_id
    left join rfm_segments
        on current_segments.rfm_segment = rfm_segments.rfm_segment
    where current_segments.rfm_segment != 'champions'

)

select * from champions_who_slipped
order by monetary desc, customer_id asc
