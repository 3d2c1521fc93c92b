-- Customers whom the three clustering methods do not put in the same
-- segment, most valuable first. They sit between two segments: treat them by
-- their rule-based RFM segment, or by the mixture's segment when its
-- probability is high.

with

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

disagreements as (

    select
        customer_segments.customer_id,
        customer_segments.kmeans_segment,
        customer_segments.agglomerative_segment,
        customer_segments.gmm_segment,
        customers.rfm_segment,
        customer_segments.recency_days,
        customer_segments.frequency,
        customer_segments.monetary,
        customer_segments.gmm_probability,
        customer_segments.gmm_entropy

    from customer_segments
    inner join customers
        on customer_segments.customer_id = customers.customer_id
    where
        customer_segments.kmeans_segment
        != customer_segments.agglomerative_segment
        or customer_segments.kmeans_segment != customer_segments.gmm_segment

)

select * from disagreements
order by monetary desc, customer_id asc
