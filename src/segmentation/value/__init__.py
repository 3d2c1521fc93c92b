"""Predicted customer value: BG/NBD purchase counts and P(alive), Gamma-Gamma spend per
purchase, and a discounted CLV, fitted by maximum likelihood with scipy (time unit: days).

Every function is pure and knows nothing of dbt. Input: one row per customer with the columns
of int_customers_purchase_summary (``REPEAT_PURCHASES``, ``LAST_PURCHASE_AGE``,
``OBSERVED_DAYS``, ``MEAN_REPEAT_VALUE``); settings: one ``ValueModelConfig``.

Pipeline: ``fit_bg_nbd`` and ``fit_gamma_gamma`` (a ``ModelFit`` with a status) ->
``p_alive``, ``conditional_expected_purchases``, ``expected_average_value`` ->
``customer_lifetime_value``. The dbt models call ``fit_value_models`` (both fits on a bounded
deterministic sample, as a parameter table) and ``predict_customer_values`` (every customer).
"""

from ._fitting import (
    CONVERGED,
    FIT_STATUSES,
    NO_REPEAT_BUYERS,
    NOT_CONVERGED,
    TOO_FEW_CUSTOMERS,
    ModelFit,
)
from ._inputs import (
    LAST_PURCHASE_AGE,
    MEAN_REPEAT_VALUE,
    OBSERVED_DAYS,
    REPEAT_PURCHASES,
    ValueModelInputError,
)
from .backtest import (
    DECILES,
    backtest_period,
    cumulative_expected_repeat_purchases,
    holdout_predictions,
    tracking_series,
)
from .bg_nbd import conditional_expected_purchases, expected_purchases, fit_bg_nbd, p_alive
from .clv import customer_lifetime_value, month_ends
from .config import DAYS_PER_MONTH, DEFAULT_VALUE_CONFIG, ValueModelConfig
from .gamma_gamma import expected_average_value, fit_gamma_gamma
from .predictions import (
    CHURN_RISKS,
    PARAMETER_COLUMNS,
    PREDICTION_COLUMNS,
    PURCHASE_HORIZONS_DAYS,
    TIME_UNIT,
    churn_risk,
    days_to_expected_next_purchase,
    fit_sample,
    fit_value_models,
    fits_from_parameters,
    predict_customer_values,
)

__all__ = [
    "CHURN_RISKS",
    "CONVERGED",
    "DAYS_PER_MONTH",
    "DECILES",
    "DEFAULT_VALUE_CONFIG",
    "FIT_STATUSES",
    "LAST_PURCHASE_AGE",
    "MEAN_REPEAT_VALUE",
    "NOT_CONVERGED",
    "NO_REPEAT_BUYERS",
    "OBSERVED_DAYS",
    "PARAMETER_COLUMNS",
    "PREDICTION_COLUMNS",
    "PURCHASE_HORIZONS_DAYS",
    "REPEAT_PURCHASES",
    "TIME_UNIT",
    "TOO_FEW_CUSTOMERS",
    "ModelFit",
    "ValueModelConfig",
    "ValueModelInputError",
    "backtest_period",
    "churn_risk",
    "conditional_expected_purchases",
    "cumulative_expected_repeat_purchases",
    "customer_lifetime_value",
    "days_to_expected_next_purchase",
    "expected_average_value",
    "expected_purchases",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "fit_sample",
    "fit_value_models",
    "fits_from_parameters",
    "holdout_predictions",
    "month_ends",
    "p_alive",
    "predict_customer_values",
    "tracking_series",
]
