-- In every method, Low-Value / One-Time Buyers have the lowest mean monetary of
-- all segments.
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

low_value as (

    select * from segment_profiles
    where segment = 'Low-Value / One-Time Buyers'

)

select
    low_value.method,
    other_segments.segment,
    low_value.mean_monetary as low_value_mean_monetary,
    other_segments.mean_monetary

from low_value
inner join segment_profiles as other_segments
    on
        low_value.method = other_segments.method
        and other_segments.segment != 'Low-Value / One-Time Buyers'
where
    other_segments.mean_monetary <= low_value.mean_monetary
    and not exists (select 1 from lowered_k)
