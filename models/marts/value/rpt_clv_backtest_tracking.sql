{#-
    The tracking plot of the value models' backtest (docs block backtest): weekly repeat
    purchases of the cutoff's customers, actual and expected by BG/NBD, over the
    calibration period and the holdout.
-#}
with

tracking as (

    select * from {{ ref('int_backtest_tracking') }}

),

model_parameters as (

    select * from {{ ref('int_backtest_value_model_parameters') }}

),

bg_nbd_status as (

    select max(status) as bg_nbd_status

    from model_parameters
    where model = 'bg_nbd'

),

weekly_tracking as (

    select
        bg_nbd_status.bg_nbd_status,
        cast(tracking.weeks_from_cutoff as {{ dbt.type_int() }})
            as weeks_from_cutoff,
        tracking.predicted_repeat_purchases,
        cast(tracking.actual_repeat_purchases as {{ dbt.type_int() }})
            as actual_repeat_purchases,
        tracking.predicted_cumulative_repeat_purchases,
        cast(
            tracking.actual_cumulative_repeat_purchases as {{ dbt.type_int() }}
        ) as actual_cumulative_repeat_purchases,
        tracking.is_holdout,
        tracking.week_start_date,
        tracking.week_end_date

    from tracking
    cross join bg_nbd_status

)

select * from weekly_tracking
