-- In every method Champions (cluster_id 1) have the highest value score of the
-- segment centres, and the segments in between (cluster_id 2..k-1) follow the
-- documented value score, highest first. The last id is the lowest spend
-- (assert_low_value_buyers_have_lowest_mean_monetary), not necessarily the
-- lowest score.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

segments_per_method as (

    select
        method,
        max(cluster_id) as last_cluster_id,
        max(value_score) as best_value_score

    from segment_profiles
    group by 1

),

ordered_segments as (

    select
        segment_profiles.method,
        segment_profiles.cluster_id,
        segment_profiles.segment,
        segment_profiles.value_score,
        segments_per_method.best_value_score,
        segments_per_method.last_cluster_id,
        lead(segment_profiles.value_score) over (
            partition by segment_profiles.method
            order by segment_profiles.cluster_id
        ) as next_value_score,
        lead(segment_profiles.cluster_id) over (
            partition by segment_profiles.method
            order by segment_profiles.cluster_id
        ) as next_cluster_id

    from segment_profiles
    inner join segments_per_method
        on segment_profiles.method = segments_per_method.method

)

select *
from ordered_segments
where
    (cluster_id = 1 and value_score < best_value_score)
    or (
        cluster_id > 1
        and next_cluster_id < last_cluster_id
        and next_value_score > value_score
    )
