with

feature_scaling as (

    select * from {{ ref('int_rfm_feature_scaling') }}

)

select * from feature_scaling
