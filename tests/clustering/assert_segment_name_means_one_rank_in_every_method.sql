-- A segment name means the same value rank (cluster_id) in all three methods:
-- one cluster_id per name and one name per cluster_id across every method.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

by_name as (

    select
        segment,
        count(distinct cluster_id) as value_ranks
    from segment_profiles
    group by 1

),

by_rank as (

    select
        cluster_id,
        count(distinct segment) as segment_names
    from segment_profiles
    group by 1

)

select
    'name with several ranks' as problem,
    segment,
    null as cluster_id
from by_name
where value_ranks > 1

union all

select
    'rank with several names' as problem,
    null as segment,
    cluster_id
from by_rank
where segment_names > 1
