-- In every method, Low-Value / One-Time Buyers have the lowest mean monetary of
-- all segments (not checked when k was lowered, see
-- segment_profiles_at_configured_k).
with

segment_profiles as (

    {{ segment_profiles_at_configured_k() }}

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
