with

customers as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

final as (

    select
        customer_id,
        country,
        rfm_cell,
        rfm_segment,
        recency_days,
        frequency,
        monetary,
        monetary_net,
        average_order_value,
        r_score,
        f_score,
        m_score,
        as_of_date,
        first_purchase_at,
        last_purchase_at

    from customers

)

select * from final
