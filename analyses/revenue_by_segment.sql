-- Customers and revenue per segment, for the rule-based RFM segments and for
-- each clustering method, in one long table: which segments carry the
-- revenue. Revenue is valid spend before the as-of date (`monetary`); net
-- revenue subtracts returns.

with

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

customer_segment_long as (

    select
        'rfm' as segmentation,
        rfm_segment as segment,
        customer_id
    from customers
    {%- for method in clustering_methods() %}

    union all

    select
        '{{ method }}' as segmentation,
        {{ method }}_segment as segment,
        customer_id
    from customer_segments
    {%- endfor %}

),

revenue_per_segment as (

    select
        customer_segment_long.segmentation,
        customer_segment_long.segment,
        count(*) as customers,
        sum(customers.monetary) as revenue,
        sum(customers.monetary_net) as net_revenue,
        sum(customers.monetary) / count(*) as revenue_per_customer

    from customer_segment_long
    inner join customers
        on customer_segment_long.customer_id = customers.customer_id
    group by
        customer_segment_long.segmentation,
        customer_segment_long.segment

),

revenue_shares as (

    select
        segmentation,
        segment,
        customers,
        revenue,
        net_revenue,
        revenue_per_customer,
        revenue
        / sum(revenue) over (partition by segmentation) as revenue_share

    from revenue_per_segment

)

select * from revenue_shares
order by segmentation asc, revenue desc
