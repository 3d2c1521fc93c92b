{#-
    The value models' backtest (docs block backtest): expected vs actual purchases and
    revenue of the cutoff's customers in the holdout, for all of them (customer_group
    'overall') and per decile of predicted revenue ('decile', 1 = highest).
-#}
with

customer_predictions as (

    select * from {{ ref('int_backtest_customer_predictions') }}

),

backtest_period as (

    select * from {{ ref('int_backtest_period') }}

),

model_parameters as (

    select * from {{ ref('int_backtest_value_model_parameters') }}

),

model_statuses as (

    select
        max(case when model = 'bg_nbd' then status end) as bg_nbd_status,
        max(case when model = 'gamma_gamma' then status end)
            as gamma_gamma_status

    from model_parameters

),

customer_groups as (

    select
        'overall' as customer_group,
        cast(null as {{ dbt.type_int() }}) as predicted_value_decile,
        predicted_purchases,
        actual_purchases,
        predicted_revenue,
        actual_revenue

    from customer_predictions

    union all

    select
        'decile' as customer_group,
        predicted_value_decile,
        predicted_purchases,
        actual_purchases,
        predicted_revenue,
        actual_revenue

    from customer_predictions
    where predicted_value_decile is not null

),

group_accuracy as (

    select
        customer_group,
        predicted_value_decile,
        count(*) as customers,
        {{ exact_sum('predicted_purchases') }} as predicted_purchases,
        cast(sum(actual_purchases) as {{ dbt.type_bigint() }})
            as actual_purchases,
        {{ exact_avg('abs(predicted_purchases - actual_purchases)') }}
            as purchases_mean_absolute_error,
        {{ exact_avg('predicted_purchases - actual_purchases') }}
            as purchases_bias,
        {{ exact_sum('predicted_revenue') }} as predicted_revenue,
        {{ exact_sum('actual_revenue') }} as actual_revenue,
        {{ exact_avg('abs(predicted_revenue - actual_revenue)', 6) }}
            as revenue_mean_absolute_error,
        {{ exact_avg('predicted_revenue - actual_revenue', 6) }}
            as revenue_bias

    from customer_groups
    group by customer_group, predicted_value_decile

),

backtest_accuracy as (

    select
        group_accuracy.customer_group,
        model_statuses.bg_nbd_status,
        model_statuses.gamma_gamma_status,
        group_accuracy.predicted_value_decile,
        group_accuracy.customers,
        cast(backtest_period.holdout_days as {{ dbt.type_int() }})
            as holdout_days,
        group_accuracy.predicted_purchases,
        group_accuracy.actual_purchases,
        group_accuracy.purchases_mean_absolute_error,
        group_accuracy.purchases_bias,
        group_accuracy.predicted_revenue,
        group_accuracy.actual_revenue,
        group_accuracy.revenue_mean_absolute_error,
        group_accuracy.revenue_bias,
        group_accuracy.actual_revenue / nullif(
            {{ exact_sum(
                'group_accuracy.actual_revenue',
                over='partition by group_accuracy.customer_group',
            ) }},
            0
        ) as holdout_revenue_share,
        backtest_period.cutoff_date,
        backtest_period.holdout_end_date

    from group_accuracy
    cross join model_statuses
    cross join backtest_period

)

select * from backtest_accuracy
