with

customers as (

    select * from {{ ref('dim_customers') }}

),

predictions as (

    select * from {{ ref('int_customer_value_predictions') }}

),

control_group as (

    select * from {{ ref('dim_customer_control_group') }}

),

final as (

    select
        customers.customer_id,
        predictions.churn_risk,
        predictions.bg_nbd_status,
        predictions.gamma_gamma_status,
        predictions.p_alive,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_average_order_value,
        predictions.predicted_clv_365d,
        control_group.is_control_group,
        customers.as_of_date,
        cast({{ dbt.dateadd(
            'day',
            'cast(predictions.days_to_expected_next_purchase as '
            ~ dbt.type_int() ~ ') - 1',
            'customers.as_of_date'
        ) }} as date) as expected_next_purchase_date

    from customers
    left join predictions
        on customers.customer_id = predictions.customer_id
    left join control_group
        on customers.customer_id = control_group.customer_id

)

select * from final
