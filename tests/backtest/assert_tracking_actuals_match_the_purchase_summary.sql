-- The tracking plot's actual curve counts what the models were fitted on and
-- tested against: up to the last calibration week, the repeat purchases of the
-- summary at the cutoff; in the holdout, the customers' holdout purchases.
with

tracking as (

    select * from {{ ref('rpt_clv_backtest_tracking') }}

),

purchase_summary as (

    select * from {{ ref('int_backtest_purchase_summary') }}

),

holdout_actuals as (

    select * from {{ ref('int_backtest_holdout_actuals') }}

),

tracked as (

    select
        sum(case when not is_holdout then actual_repeat_purchases else 0 end)
            as calibration_repeat_purchases,
        sum(case when is_holdout then actual_repeat_purchases else 0 end)
            as holdout_repeat_purchases

    from tracking

),

summarised as (

    select sum(repeat_purchases) as calibration_repeat_purchases

    from purchase_summary

),

held_out as (

    select sum(holdout_purchases) as holdout_repeat_purchases

    from holdout_actuals

)

select
    tracked.calibration_repeat_purchases,
    summarised.calibration_repeat_purchases as summary_repeat_purchases,
    tracked.holdout_repeat_purchases,
    held_out.holdout_repeat_purchases as holdout_purchases

from tracked
cross join summarised
cross join held_out
where
    tracked.calibration_repeat_purchases
    <> summarised.calibration_repeat_purchases
    or tracked.holdout_repeat_purchases <> held_out.holdout_repeat_purchases
