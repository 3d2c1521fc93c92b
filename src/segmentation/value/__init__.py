"""Predicted customer value: BG/NBD purchase counts and P(alive), Gamma-Gamma spend per
purchase, and a discounted CLV, fitted by maximum likelihood with scipy (time unit: days).

Every function is pure and knows nothing of dbt. Input: one row per customer with the columns
of int_customers_purchase_summary (``REPEAT_PURCHASES``, ``LAST_PURCHASE_AGE``,
``OBSERVED_DAYS``, ``MEAN_REPEAT_VALUE``); settings: one ``ValueModelConfig``.

Pipeline: ``fit_bg_nbd`` and ``fit_gamma_gamma`` (a ``ModelFit`` with a status) ->
``p_alive``, ``conditional_expected_purchases``, ``expected_average_value`` ->
``customer_lifetime_value``.
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
from .bg_nbd import conditional_expected_purchases, expected_purchases, fit_bg_nbd, p_alive
from .clv import customer_lifetime_value, month_ends
from .config import DAYS_PER_MONTH, DEFAULT_VALUE_CONFIG, ValueModelConfig
from .gamma_gamma import expected_average_value, fit_gamma_gamma

__all__ = [
    "CONVERGED",
    "DAYS_PER_MONTH",
    "DEFAULT_VALUE_CONFIG",
    "FIT_STATUSES",
    "LAST_PURCHASE_AGE",
    "MEAN_REPEAT_VALUE",
    "NOT_CONVERGED",
    "NO_REPEAT_BUYERS",
    "OBSERVED_DAYS",
    "REPEAT_PURCHASES",
    "TOO_FEW_CUSTOMERS",
    "ModelFit",
    "ValueModelConfig",
    "ValueModelInputError",
    "conditional_expected_purchases",
    "customer_lifetime_value",
    "expected_average_value",
    "expected_purchases",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "month_ends",
    "p_alive",
]
