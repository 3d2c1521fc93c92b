-- In every method, Low-Value / One-Time Buyers have the lowest mean monetary of
-- all segments.
with

segment_profiles as (

    select * from {{ ref('rpt_segment_profiles') }}

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
where other_segments.mean_monetary <= low_value.mean_monetary
