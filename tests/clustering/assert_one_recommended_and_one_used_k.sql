-- The model selection names one recommended k and one used k, the same for
-- every method (a segment name must mean the same rank in all of them).
with

model_selection as (

    select * from {{ ref('rpt_cluster_model_selection') }}

),

flags as (

    select
        count(distinct k) filter (where is_recommended) as recommended_ks,
        count(distinct k) filter (where is_used) as used_ks,
        count(*) filter (where is_recommended) as recommended_rows,
        count(*) filter (where is_used) as used_rows

    from model_selection

)

select * from flags
where
    recommended_ks != 1
    or used_ks != 1
    or recommended_rows != {{ clustering_methods() | length }}
    or used_rows != {{ clustering_methods() | length }}
