with

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

)

select * from customers_segmented
