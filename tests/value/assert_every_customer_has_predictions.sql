-- dim_customer_predictions has exactly the customers of dim_customers: the
-- relationships test covers one direction, this the other (a customer dropped
-- by the predictions).

with

customers as (

    select * from {{ ref('dim_customers') }}

),

predictions as (

    select * from {{ ref('dim_customer_predictions') }}

),

customers_without_predictions as (

    select customers.customer_id

    from customers
    left join predictions
        on customers.customer_id = predictions.customer_id
    where predictions.customer_id is null

)

select * from customers_without_predictions
