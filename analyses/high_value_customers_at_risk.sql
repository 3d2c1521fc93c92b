-- Customers in the top fifth by predicted 365-day CLV whose churn risk is not
-- low (P(alive) below var churn_risk_medium_below): the value a retention
-- campaign can still save, most valuable first. Control-group customers are
-- listed but flagged: leave them out of the campaign to measure its lift.

with

customers as (

    select * from {{ ref('dim_customers') }}

),

predictions as (

    select * from {{ ref('dim_customer_predictions') }}

),

ranked_predictions as (

    select
        customer_id,
        churn_risk,
        p_alive,
        expected_purchases_365d,
        predicted_clv_365d,
        is_control_group,
        expected_next_purchase_date,
        percent_rank() over (order by predicted_clv_365d) as clv_percent_rank

    from predictions
    where predicted_clv_365d is not null

),

high_value_at_risk as (

    select
        ranked_predictions.customer_id,
        customers.country,
        customers.rfm_segment,
        ranked_predictions.churn_risk,
        ranked_predictions.p_alive,
        ranked_predictions.expected_purchases_365d,
        ranked_predictions.predicted_clv_365d,
        customers.recency_days,
        customers.frequency,
        customers.monetary,
        ranked_predictions.is_control_group,
        ranked_predictions.expected_next_purchase_date,
        customers.last_purchase_at

    from ranked_predictions
    inner join customers
        on ranked_predictions.customer_id = customers.customer_id
    where
        ranked_predictions.clv_percent_rank >= 0.8
        and ranked_predictions.churn_risk in ('medium', 'high')

)

select * from high_value_at_risk
order by predicted_clv_365d desc, customer_id asc
