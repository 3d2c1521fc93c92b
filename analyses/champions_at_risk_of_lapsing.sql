-- Customers who bought like champions (frequency and monetary scores 4-5)
-- but whose recency score has fallen to 1-2: their last purchase is older
-- than that of 60% of customers. The win-back list marketing asks for first,
-- most valuable first, with the cluster each method puts them in.

with

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

champions_lapsing as (

    select
        customers.customer_id,
        customers.country,
        customers.rfm_cell,
        customers.rfm_segment,
        customer_segments.kmeans_segment,
        customer_segments.gmm_segment,
        customers.recency_days,
        customers.frequency,
        customers.monetary,
        customers.average_order_value,
        customers.last_purchase_at

    from customers
    left join customer_segments
        on customers.customer_id = customer_segments.customer_id
    where
        customers.f_score >= 4
        and customers.m_score >= 4
        and customers.r_score <= 2

)

select * from champions_lapsing
order by monetary desc, customer_id asc
