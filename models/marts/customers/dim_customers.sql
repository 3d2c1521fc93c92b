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
        cast(recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(frequency as {{ dbt.type_int() }}) as frequency,
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
