-- Everything the project says about one customer: RFM, scores, the
-- rule-based segment with its marketing action, and the cluster of each
-- method. Choose the customer with
-- `dbt compile --select segment_of_one_customer --vars '{customer_id: 17850}'`

with

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

rfm_segments as (

    select * from {{ ref('rfm_segments') }}

),

one_customer as (

    select
        customers.customer_id,
        customers.country,
        customers.rfm_cell,
        customers.rfm_segment,
        rfm_segments.segment_label,
        rfm_segments.marketing_action,
        customer_segments.kmeans_segment,
        customer_segments.agglomerative_segment,
        customer_segments.gmm_segment,
        customers.recency_days,
        customers.frequency,
        customers.monetary,
        customers.monetary_net,
        customers.r_score,
        customers.f_score,
        customers.m_score,
        customer_segments.gmm_probability,
        customers.first_purchase_at,
        customers.last_purchase_at

    from customers
    left join customer_segments
        on customers.customer_id = customer_segments.customer_id
    left join rfm_segments
        on customers.rfm_segment = rfm_segments.rfm_segment
    where customers.customer_id = {{ var('customer_id', 17850) | int }}

)

select * from one_customer
