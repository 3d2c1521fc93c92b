with

merge_tree as (

    select * from {{ ref('int_agglomerative_merge_tree') }}

)

select * from merge_tree
