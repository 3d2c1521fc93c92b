-- Each customer's mixture membership is a probability distribution: one row per
-- mixture segment, summing to 1 within 1e-9, with exactly one assigned segment
-- that is the probability reported in dim_customer_segments.
with

probabilities as (

    select * from {{ ref('fct_customer_segment_probabilities') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

per_customer as (

    select
        customer_id,
        sum(probability) as total_probability,
        count(*) filter (where is_assigned) as assigned_segments,
        max(probability) filter (where is_assigned) as assigned_probability,
        max(gmm_segment_rank) filter (
            where is_assigned
        ) as assigned_segment_rank

    from probabilities
    group by 1

)

select per_customer.*

from per_customer
left join customer_segments
    on per_customer.customer_id = customer_segments.customer_id
where
    abs(per_customer.total_probability - 1) > 1e-9
    or per_customer.assigned_segments != 1
    or per_customer.assigned_probability
    is distinct from customer_segments.gmm_probability
    or per_customer.assigned_segment_rank
    is distinct from customer_segments.gmm_segment_rank
