"""Purchases and revenue expected of each customer of the cutoff in the holdout, and actual."""

from segmentation.frames import to_pandas
from segmentation.value import holdout_predictions


def model(dbt, session):
    summary = to_pandas(dbt.ref("int_backtest_purchase_summary"))
    actuals = to_pandas(dbt.ref("int_backtest_holdout_actuals"))
    parameters = to_pandas(dbt.ref("int_backtest_value_model_parameters"))
    period = to_pandas(dbt.ref("int_backtest_period"))
    return holdout_predictions(summary, actuals, parameters, period)
