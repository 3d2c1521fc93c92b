-- The segment map covers each of the 25 R x F cells exactly once, so every
-- customer gets exactly one rule-based segment whatever its scores.
with

cells as (

    select
        r.score as r_score,
        f.score as f_score

    from (values (1), (2), (3), (4), (5)) as r (score)
    cross join (values (1), (2), (3), (4), (5)) as f (score)

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

mapped as (

    select
        cells.r_score,
        cells.f_score,
        count(segment_map.rfm_segment) as segments

    from cells
    left join segment_map
        on
            cells.r_score = segment_map.r_score
            and cells.f_score = segment_map.f_score
    group by cells.r_score, cells.f_score

)

select * from mapped
where segments != 1
