"""What the dbt models of the value models return: the fitted parameters of both models, and
every customer's predictions made with them (time unit: days).

``fit_value_models`` fits BG/NBD and Gamma-Gamma on a deterministic sample of the summary
(at most ``value_model_max_fit_customers``) and returns one row per model and parameter with
the fit's status. ``predict_customer_values`` reads those rows back and predicts for every
customer of the summary. A model that is not usable (status other than 'converged') leaves
the predictions that need it null; it never raises.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import bg_nbd, gamma_gamma
from ._fitting import CONVERGED, TOO_FEW_CUSTOMERS, ModelFit, not_fitted
from ._inputs import CUSTOMER_ID, MEAN_REPEAT_VALUE, ValueModelInputError, purchase_counts
from .clv import customer_lifetime_value
from .config import DEFAULT_VALUE_CONFIG, ValueModelConfig

#: The unit of BG/NBD's alpha and of every horizon; Gamma-Gamma has no time parameter.
TIME_UNIT = "days"
#: Horizons of the expected purchase counts, in days (the marts' column names say them).
PURCHASE_HORIZONS_DAYS: tuple[int, ...] = (90, 365)
#: The expected next purchase date is looked for within the longest of them.
NEXT_PURCHASE_HORIZON_DAYS = max(PURCHASE_HORIZONS_DAYS)
#: churn_risk values, from the most to the least likely alive.
CHURN_RISKS: tuple[str, ...] = ("low", "medium", "high")
#: Models in the order of the parameter table, with their parameters.
MODELS: dict[str, tuple[str, ...]] = {
    bg_nbd.MODEL: bg_nbd.PARAMETERS,
    gamma_gamma.MODEL: gamma_gamma.PARAMETERS,
}

PARAMETER_COLUMNS: tuple[str, ...] = (
    "model",
    "parameter",
    "estimate",
    "time_unit",
    "log_likelihood",
    "customers_used",
    "status",
    "status_message",
)
PREDICTION_COLUMNS: tuple[str, ...] = (
    CUSTOMER_ID,
    "churn_risk",
    "bg_nbd_status",
    "gamma_gamma_status",
    "p_alive",
    *(f"expected_purchases_{days}d" for days in PURCHASE_HORIZONS_DAYS),
    "expected_average_order_value",
    "predicted_clv_365d",
    "days_to_expected_next_purchase",
    "is_value_fit_sample",
)


def fit_sample(summary: pd.DataFrame, config: ValueModelConfig = DEFAULT_VALUE_CONFIG):
    """The customers the models are fitted on, and a mask of them in ``summary``: all of
    them up to ``value_model_max_fit_customers``, else a sample without replacement drawn
    with ``numpy.random.default_rng(random_state)`` from the customers sorted by
    customer_id (the same customers on every run of the same data)."""
    order = np.argsort(summary[CUSTOMER_ID].to_numpy(), kind="stable")
    chosen = order
    if len(order) > config.value_model_max_fit_customers:
        rng = np.random.default_rng(config.random_state)
        picked = rng.choice(len(order), config.value_model_max_fit_customers, replace=False)
        chosen = order[np.sort(picked)]
    mask = np.zeros(len(summary), dtype=bool)
    mask[chosen] = True
    return summary.iloc[chosen], mask


def _fits(summary: pd.DataFrame, config: ValueModelConfig) -> tuple[ModelFit, ModelFit]:
    if summary.empty:
        return tuple(  # type: ignore[return-value]
            not_fitted(model, names, 0, TOO_FEW_CUSTOMERS, "no customers")
            for model, names in MODELS.items()
        )
    sample, _ = fit_sample(summary, config)
    return bg_nbd.fit_bg_nbd(sample, config), gamma_gamma.fit_gamma_gamma(sample, config)


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def fit_value_models(
    summary: pd.DataFrame, config: ValueModelConfig = DEFAULT_VALUE_CONFIG
) -> pd.DataFrame:
    """One row per model (bg_nbd, gamma_gamma) and parameter: the maximum-likelihood
    estimate (null when not fitted), the time unit, the fit's log-likelihood, the customers
    it used and its status with a message. An empty summary gives 'too_few_customers'."""
    rows = []
    for fit in _fits(summary, config):
        for parameter, estimate in fit.parameters.items():
            rows.append(
                {
                    "model": fit.model,
                    "parameter": parameter,
                    "estimate": _none_if_nan(estimate),
                    "time_unit": TIME_UNIT if fit.model == bg_nbd.MODEL else None,
                    "log_likelihood": _none_if_nan(fit.log_likelihood),
                    "customers_used": fit.customers,
                    "status": fit.status,
                    "status_message": fit.message,
                }
            )
    frame = pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))
    frame["estimate"] = frame["estimate"].astype("float64")
    frame["log_likelihood"] = frame["log_likelihood"].astype("float64")
    frame["customers_used"] = frame["customers_used"].astype("int64")
    return frame


def fits_from_parameters(parameters: pd.DataFrame) -> dict[str, ModelFit]:
    """The ``ModelFit`` of each model, rebuilt from the rows of ``fit_value_models``."""
    missing = [column for column in PARAMETER_COLUMNS if column not in parameters]
    if missing:
        raise ValueModelInputError(f"parameters: missing column(s) {missing}")
    fits = {}
    for model, names in MODELS.items():
        rows = parameters[parameters["model"] == model].set_index("parameter")
        if sorted(rows.index) != sorted(names) or rows["status"].nunique() != 1:
            raise ValueModelInputError(
                f"parameters: {model} needs one row for each of {list(names)} with one "
                f"status; got {list(rows.index)}"
            )
        first = rows.iloc[0]
        fits[model] = ModelFit(
            model,
            {name: float(rows.at[name, "estimate"]) for name in names},
            float(first["log_likelihood"]),
            int(first["customers_used"]),
            str(first["status"]),
            str(first["status_message"]),
        )
    return fits


def churn_risk(alive: np.ndarray, config: ValueModelConfig = DEFAULT_VALUE_CONFIG) -> np.ndarray:
    """'high' below churn_risk_high_below, 'medium' below churn_risk_medium_below, else
    'low'; None where P(alive) is unknown."""
    alive = np.asarray(alive, dtype="float64")
    risk = np.where(
        alive < config.churn_risk_high_below,
        "high",
        np.where(alive < config.churn_risk_medium_below, "medium", "low"),
    ).astype(object)
    risk[np.isnan(alive)] = None
    return risk


def days_to_expected_next_purchase(fit: ModelFit, x, t_x, big_t, horizon_days: int) -> np.ndarray:
    """The first whole day d (1..horizon) after the end of the period by which the customer
    is expected to have bought once, E[Y(d) | x, t_x, T] >= 1 (the chance that they have
    left included); NaN when that takes longer than the horizon. Bisection over whole days:
    E[Y(d)] grows with d."""
    x, t_x, big_t = (np.asarray(v, dtype="float64") for v in (x, t_x, big_t))
    alive = bg_nbd.p_alive(fit, x, t_x, big_t)
    expected = bg_nbd.expected_purchases_if_alive(fit, horizon_days, x, big_t) * alive
    reached = np.flatnonzero(expected >= 1)
    low = np.zeros(len(reached))
    high = np.full(len(reached), float(horizon_days))
    while len(reached) and (high - low > 1).any():
        middle = np.floor((low + high) / 2)
        enough = (
            bg_nbd.expected_purchases_if_alive(fit, middle, x[reached], big_t[reached])
            * alive[reached]
            >= 1
        )
        high = np.where(enough, middle, high)
        low = np.where(enough, low, middle)
    days = np.full(len(x), np.nan)
    days[reached] = high
    return days


def predict_customer_values(
    summary: pd.DataFrame,
    parameters: pd.DataFrame,
    config: ValueModelConfig = DEFAULT_VALUE_CONFIG,
) -> pd.DataFrame:
    """One row per customer of ``summary``, in customer_id order: P(alive), churn risk,
    expected purchases over each of ``PURCHASE_HORIZONS_DAYS``, expected order value, the
    discounted CLV over ``clv_horizon_days`` and the days to the expected next purchase,
    with both models' statuses. Predictions that need a model whose status is not
    'converged' are null, as is the expected order value when Gamma-Gamma's q <= 1."""
    fits = fits_from_parameters(parameters)
    purchases, value = fits[bg_nbd.MODEL], fits[gamma_gamma.MODEL]
    summary = summary.sort_values(CUSTOMER_ID, kind="stable").reset_index(drop=True)
    n = len(summary)
    frame = pd.DataFrame({CUSTOMER_ID: summary[CUSTOMER_ID].to_numpy()})
    # typed text columns: a column of nulls only must still read as text in the warehouse
    frame["churn_risk"] = pd.Series([None] * n, dtype="string")
    frame["bg_nbd_status"] = pd.Series([purchases.status] * n, dtype="string")
    frame["gamma_gamma_status"] = pd.Series([value.status] * n, dtype="string")
    for column in PREDICTION_COLUMNS[4:-1]:
        frame[column] = np.full(n, np.nan)
    _, in_sample = fit_sample(summary, config) if n else (None, np.zeros(0, dtype=bool))
    frame["is_value_fit_sample"] = in_sample
    if n == 0 or purchases.status != CONVERGED:
        return frame[list(PREDICTION_COLUMNS)]

    x, t_x, big_t = purchase_counts(summary)
    alive = bg_nbd.p_alive(purchases, x, t_x, big_t)
    frame["p_alive"] = alive
    frame["churn_risk"] = pd.Series(churn_risk(alive, config), dtype="string")
    for days in PURCHASE_HORIZONS_DAYS:
        frame[f"expected_purchases_{days}d"] = (
            bg_nbd.expected_purchases_if_alive(purchases, days, x, big_t) * alive
        )
    frame["days_to_expected_next_purchase"] = days_to_expected_next_purchase(
        purchases, x, t_x, big_t, NEXT_PURCHASE_HORIZON_DAYS
    )
    if value.status == CONVERGED:
        m_x = pd.to_numeric(summary[MEAN_REPEAT_VALUE], errors="coerce").to_numpy("float64")
        frame["expected_average_order_value"] = gamma_gamma.expected_average_value(value, x, m_x)
        frame["predicted_clv_365d"] = customer_lifetime_value(
            purchases, value, x, t_x, big_t, m_x, config
        )
    return frame[list(PREDICTION_COLUMNS)]
