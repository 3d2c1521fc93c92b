-- Every customer of dim_customers appears exactly once in
-- dim_customer_segments, and no one else does: the clustering neither drops nor
-- invents customers.
with

customers as (

    select customer_id from {{ ref('dim_customers') }}

),

customer_segments as (

    select
        customer_id,
        count(*) as rows_per_customer
    from {{ ref('dim_customer_segments') }}
    group by 1

)

select
    coalesce(customers.customer_id, customer_segments.customer_id)
        as customer_id,
    customer_segments.rows_per_customer

from customers
full outer join customer_segments
    on customers.customer_id = customer_segments.customer_id
where
    customer_segments.rows_per_customer is distinct from 1
    or customers.customer_id is null
