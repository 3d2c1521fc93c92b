-- The segment history's rows at the build's as-of date are today's customers
-- with today's RFM and segments: those of dim_customers, and the three
-- clusterings of dim_customer_segments as the history's rules assign them
-- (nearest current centre, most probable current component). Returns every
-- customer where the two disagree.
with

history as (

    select *
    from {{ ref('fct_customer_segment_history') }}
    where is_build_as_of_date

),

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

)

select
    coalesce(history.customer_id, customers.customer_id) as customer_id,
    history.as_of_date as history_as_of_date,
    customers.as_of_date

from history
full outer join customers
    on history.customer_id = customers.customer_id
left join customer_segments
    on customers.customer_id = customer_segments.customer_id
where
    history.customer_id is null
    or customers.customer_id is null
    or history.as_of_date != customers.as_of_date
    or history.rfm_cell != customers.rfm_cell
    or history.rfm_segment != customers.rfm_segment
    or history.recency_days != customers.recency_days
    or history.frequency != customers.frequency
    or history.monetary != customers.monetary
    or history.monetary_net != customers.monetary_net
    or history.kmeans_segment != customer_segments.kmeans_segment
    or history.agglomerative_segment != customer_segments.agglomerative_segment
    or history.gmm_segment != customer_segments.gmm_segment
