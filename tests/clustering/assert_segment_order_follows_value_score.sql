-- In every method Champions (segment_rank 1) have the highest value score of
-- the segment centres, and the segments in between (segment_rank 2..k-1)
-- follow the value score, highest first (docs block cluster_naming_rule). The
-- last rank is the lowest spend
-- (assert_low_value_buyers_have_lowest_mean_monetary), not necessarily the
-- lowest score.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

segments_per_method as (

    select
        method,
        max(segment_rank) as last_segment_rank,
        max(value_score) as best_value_score

    from segment_profiles
    group by 1

),

ordered_segments as (

    select
        segment_profiles.method,
        segment_profiles.segment_rank,
        segment_profiles.segment,
        segment_profiles.value_score,
        segments_per_method.best_value_score,
        segments_per_method.last_segment_rank,
        lead(segment_profiles.value_score) over (
            partition by segment_profiles.method
            order by segment_profiles.segment_rank
        ) as next_value_score,
        lead(segment_profiles.segment_rank) over (
            partition by segment_profiles.method
            order by segment_profiles.segment_rank
        ) as next_segment_rank

    from segment_profiles
    inner join segments_per_method
        on segment_profiles.method = segments_per_method.method

)

select *
from ordered_segments
where
    (segment_rank = 1 and value_score < best_value_score)
    or (
        segment_rank > 1
        and next_segment_rank < last_segment_rank
        and next_value_score > value_score
    )
