with

customers as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

rfm_history as (

    select * from {{ ref('int_customers_rfm_scored_history') }}

),

rfm_segment_changes as (

    {{ segment_history_changes('rfm_history', 'rfm_segment') }}

),

final as (

    select
        customers.customer_id,
        customers.country,
        customers.rfm_cell,
        customers.rfm_segment,
        rfm_segment_changes.previous_rfm_segment,
        cast(customers.recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(customers.frequency as {{ dbt.type_int() }}) as frequency,
        customers.monetary,
        customers.monetary_net,
        customers.average_order_value,
        customers.r_score,
        customers.f_score,
        customers.m_score,
        customers.as_of_date,
        rfm_segment_changes.rfm_segment_since,
        customers.first_purchase_at,
        customers.last_purchase_at

    from customers
    left join rfm_segment_changes
        on customers.customer_id = rfm_segment_changes.customer_id

)

select * from final
