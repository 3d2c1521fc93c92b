"""Weekly cumulative repeat purchases of the cutoff's customers, actual and expected by BG/NBD."""

from segmentation.frames import to_pandas
from segmentation.value import tracking_series


def model(dbt, session):
    summary = to_pandas(dbt.ref("int_backtest_purchase_summary"))
    daily = to_pandas(dbt.ref("int_backtest_daily_repeat_purchases"))
    parameters = to_pandas(dbt.ref("int_backtest_value_model_parameters"))
    period = to_pandas(dbt.ref("int_backtest_period"))
    return tracking_series(summary, daily, parameters, period)
