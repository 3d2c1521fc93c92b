-- In every method, Champions have the highest mean frequency and the highest
-- mean monetary of all segments: the name must say what the customers do
-- (not checked when k was lowered, see segment_profiles_at_configured_k).
with

segment_profiles as (

    {{ segment_profiles_at_configured_k() }}

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
    other_segments.mean_frequency >= champions.mean_frequency
    or other_segments.mean_monetary >= champions.mean_monetary
