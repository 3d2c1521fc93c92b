with

method_agreement as (

    select * from {{ ref('int_segmentation_method_agreement') }}

)

select * from method_agreement
