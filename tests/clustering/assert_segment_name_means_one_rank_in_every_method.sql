-- A segment name means the same rank (segment_rank) in every method: one
-- segment_rank per name and one name per segment_rank across all methods.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

by_name as (

    select
        segment,
        count(distinct segment_rank) as value_ranks
    from segment_profiles
    group by 1

),

by_rank as (

    select
        segment_rank,
        count(distinct segment) as segment_names
    from segment_profiles
    group by 1

)

select
    'name with several ranks' as problem,
    segment,
    null as segment_rank
from by_name
where value_ranks > 1

union all

select
    'rank with several names' as problem,
    null as segment,
    segment_rank
from by_rank
where segment_names > 1
