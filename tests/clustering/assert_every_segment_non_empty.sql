-- Every method has exactly the number of non-empty segments the model selection
-- says it uses, numbered 1..k: an empty segment would be missing from
-- rpt_segment_profiles.
with

model_selection as (

    select * from {{ ref('rpt_cluster_model_selection') }}

),

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

used_k as (

    select
        method,
        k
    from model_selection
    where is_used

),

segments_per_method as (

    select
        method,
        count(*) as segments,
        min(segment_rank) as first_segment_rank,
        max(segment_rank) as last_segment_rank,
        min(customers) as smallest_segment

    from segment_profiles
    group by 1

)

select
    used_k.method,
    used_k.k,
    segments_per_method.segments,
    segments_per_method.smallest_segment

from used_k
left join segments_per_method
    on used_k.method = segments_per_method.method
where
    segments_per_method.segments is distinct from used_k.k
    or segments_per_method.first_segment_rank != 1
    or segments_per_method.last_segment_rank != used_k.k
    or segments_per_method.smallest_segment < 1
