with

model_selection as (

    select * from {{ ref('int_cluster_model_selection') }}

)

select * from model_selection
