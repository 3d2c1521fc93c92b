-- In every method, Champions have the highest mean frequency and the highest
-- mean monetary of all segments: the name must say what the customers do.
-- Not checked when k had to be lowered for want of distinct customers (as
-- the selection_note of rpt_cluster_model_selection records): a handful of
-- customers cannot show the contrast the names promise.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

),

lowered_k as (

    select * from {{ ref('rpt_cluster_model_selection') }}
    where selection_note is not null

),

champions as (

    select * from segment_profiles
    where segment = 'Champions'

)

select
    champions.method,
    other_segments.segment,
    champions.mean_frequency as champions_mean_frequency,
    other_segments.mean_frequency,
    champions.mean_monetary as champions_mean_monetary,
    other_segments.mean_monetary

from champions
inner join segment_profiles as other_segments
    on
        champions.method = other_segments.method
        and other_segments.segment != 'Champions'
where
    (
        other_segments.mean_frequency >= champions.mean_frequency
        or other_segments.mean_monetary >= champions.mean_monetary
    )
    and not exists (select 1 from lowered_k)
