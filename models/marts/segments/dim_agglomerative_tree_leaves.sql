with

fit_sample as (

    select * from {{ ref('int_agglomerative_fit_sample') }}

)

select * from fit_sample
