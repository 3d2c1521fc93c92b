"""The value models' backtest: BG/NBD and Gamma-Gamma fitted on the purchases before a cutoff
date (the calibration period), then compared with what the same customers did from the cutoff
to the end of the data (the holdout). Time unit: days.

Three steps, each a dbt Python model's one call:

1. ``predictions.fit_value_models`` on the purchase summary at the cutoff (the build's fit,
   with the build's settings and fit sample), a table of parameters;
2. ``holdout_predictions``: per customer, the purchases and revenue expected in the holdout
   (equation 10 of Fader, Hardie & Lee 2005, times the Gamma-Gamma expected order value) next
   to the actual ones, and the customer's decile of predicted value;
3. ``tracking_series``: the weekly cumulative repeat purchases of the calibration customers,
   actual and expected (equation 9 summed over the customers from each one's first purchase),
   over calibration and holdout: the "tracking plot" of the BG/NBD paper (its figure 2).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from . import bg_nbd, gamma_gamma
from ._fitting import CONVERGED, ModelFit
from ._inputs import CUSTOMER_ID, MEAN_REPEAT_VALUE, ValueModelInputError, purchase_counts
from .predictions import fits_from_parameters

#: Groups of customers by predicted holdout value: decile 1 holds the tenth predicted to be
#: worth most.
DECILES = 10
#: Days per point of the tracking series.
TRACKING_PERIOD_DAYS = 7

#: Columns of the per-customer holdout predictions.
HOLDOUT_PREDICTION_COLUMNS = [
    CUSTOMER_ID,
    "predicted_value_decile",
    "p_alive",
    "predicted_purchases",
    "actual_purchases",
    "predicted_revenue",
    "actual_revenue",
]
#: Columns of the tracking series.
TRACKING_COLUMNS = [
    "weeks_from_cutoff",
    "predicted_repeat_purchases",
    "actual_repeat_purchases",
    "predicted_cumulative_repeat_purchases",
    "actual_cumulative_repeat_purchases",
    "is_holdout",
    "week_start_date",
    "week_end_date",
]
#: The holdout actuals per customer, and the repeat purchases per day.
ACTUAL_PURCHASES = "holdout_purchases"
ACTUAL_REVENUE = "holdout_revenue"
PURCHASE_DATE = "purchase_date"
REPEAT_PURCHASES_ON_DAY = "repeat_purchases"
FIRST_PURCHASE_DATE = "first_purchase_date"


# -------------------------------------------------------------------------- predictions


def _by_customer(frame: pd.DataFrame, columns: list[str], frame_name: str) -> pd.DataFrame:
    missing = [column for column in [CUSTOMER_ID, *columns] if column not in frame]
    if missing:
        raise ValueModelInputError(
            f"{frame_name}: missing column(s) {missing}; present: {list(frame.columns)}"
        )
    if frame[CUSTOMER_ID].isna().any() or frame[CUSTOMER_ID].duplicated().any():
        raise ValueModelInputError(f"{frame_name}: customer_id must be unique and not null")
    return frame.sort_values(CUSTOMER_ID, kind="mergesort").reset_index(drop=True)


def _as_date(value: object, name: str) -> dt.date:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueModelInputError(f"{name} must be a date, got {value!r}") from None


def backtest_period(period: pd.DataFrame) -> tuple[dt.date, dt.date, int]:
    """(cutoff_date, holdout_end_date, holdout_days) of the one-row period table
    (int_backtest_period), checked: the holdout has at least one day and holdout_days counts
    them."""
    missing = [c for c in ("cutoff_date", "holdout_end_date", "holdout_days") if c not in period]
    if missing:
        raise ValueModelInputError(
            f"period: missing column(s) {missing}; present: {list(period.columns)}"
        )
    if len(period) != 1:
        raise ValueModelInputError(f"period: expected one row, got {len(period)}")
    row = period.iloc[0]
    cutoff = _as_date(row["cutoff_date"], "cutoff_date")
    end = _as_date(row["holdout_end_date"], "holdout_end_date")
    days = (end - cutoff).days + 1
    if days < 1:
        raise ValueModelInputError(
            f"period: the holdout ends ({end}) before the cutoff ({cutoff}); set "
            "backtest_cutoff_date on or before the last day with valid lines"
        )
    if row["holdout_days"] != days:
        raise ValueModelInputError(
            f"period: holdout_days is {row['holdout_days']}, but {cutoff}..{end} has {days} days"
        )
    return cutoff, end, days


def value_deciles(values: np.ndarray) -> np.ndarray:
    """Decile 1..DECILES of each value, highest first, in groups of equal size (within one):
    the value at position i of the descending order is in decile floor(DECILES i / n) + 1.
    Ties keep the given order (sort the input by customer first); NaN gets no decile (0)."""
    values = np.asarray(values, dtype="float64")
    deciles = np.zeros(len(values), dtype="int32")
    known = np.flatnonzero(np.isfinite(values))
    order = known[np.argsort(-values[known], kind="mergesort")]
    deciles[order] = np.arange(len(order)) * DECILES // max(len(order), 1) + 1
    return deciles


def holdout_predictions(
    summary: pd.DataFrame,
    actuals: pd.DataFrame,
    parameters: pd.DataFrame,
    period: pd.DataFrame,
) -> pd.DataFrame:
    """Per customer of ``summary``: expected and actual purchases and revenue in the holdout.

    ``summary``: the purchase summary at the cutoff (int_customers_purchase_summary's
    columns); ``actuals``: customer_id, holdout_purchases (distinct purchase days from the
    cutoff on), holdout_revenue; ``parameters``: the table of ``fit_value_models``;
    ``period``: the one-row table of cutoff_date, holdout_end_date and holdout_days.

    predicted_purchases = E[Y(holdout_days) | x, t_x, T] (BG/NBD, equation 10);
    predicted_revenue = predicted_purchases x E[M | x, m_x] (Gamma-Gamma), undiscounted;
    predicted_value_decile ranks predicted_revenue, 1 = highest, ties by customer_id.
    Where a fit is not 'converged' (or Gamma-Gamma's q <= 1) its predictions are null and the
    customer has no decile (null); the parameter table says why.
    """
    _, _, days = backtest_period(period)
    calibration = _by_customer(summary, [MEAN_REPEAT_VALUE], "summary")
    x, t_x, big_t = purchase_counts(calibration)
    outcome = _by_customer(actuals, [ACTUAL_PURCHASES, ACTUAL_REVENUE], "actuals")
    if not calibration[CUSTOMER_ID].equals(outcome[CUSTOMER_ID]):
        raise ValueModelInputError(
            "actuals: must hold exactly the customers of the summary "
            f"({len(outcome)} rows for {len(calibration)} customers)"
        )
    model_fits = fits_from_parameters(parameters)
    purchases_fit, value_fit = model_fits[bg_nbd.MODEL], model_fits[gamma_gamma.MODEL]
    nothing = np.full(len(x), np.nan)
    if purchases_fit.status == CONVERGED:
        alive = bg_nbd.p_alive(purchases_fit, x, t_x, big_t)
        purchases = bg_nbd.conditional_expected_purchases(purchases_fit, days, x, t_x, big_t)
    else:
        alive, purchases = nothing, nothing
    if value_fit.status == CONVERGED:
        m_x = pd.to_numeric(calibration[MEAN_REPEAT_VALUE]).to_numpy(dtype="float64")
        revenue = purchases * gamma_gamma.expected_average_value(value_fit, x, m_x)
    else:
        revenue = nothing
    deciles = value_deciles(revenue)
    frame = pd.DataFrame(
        {
            CUSTOMER_ID: calibration[CUSTOMER_ID],
            "predicted_value_decile": pd.array(np.where(deciles > 0, deciles, None), "Int32"),
            "p_alive": alive,
            "predicted_purchases": purchases,
            "actual_purchases": outcome[ACTUAL_PURCHASES].astype("int64"),
            "predicted_revenue": revenue,
            "actual_revenue": outcome[ACTUAL_REVENUE].astype("float64"),
        }
    )
    return frame[HOLDOUT_PREDICTION_COLUMNS]


# ----------------------------------------------------------------------------- tracking


def cumulative_expected_repeat_purchases(
    fit: ModelFit, first_purchase_days: np.ndarray, at_days: np.ndarray
) -> np.ndarray:
    """Repeat purchases BG/NBD expects of a set of customers, cumulated to each of ``at_days``:
    sum over customers i of E[X(t - f_i)] (FHL 2005, equation 9), with f_i the day of i's
    first purchase and E[X(0)] = 0 (nobody repeats before arriving).

    Customers who arrived on the same day share one evaluation, so the cost is (distinct first
    days) x (points), not customers x points.
    """
    firsts, counts = np.unique(np.asarray(first_purchase_days, dtype="float64"), return_counts=True)
    at = np.asarray(at_days, dtype="float64")
    ages = np.clip(at[:, None] - firsts[None, :], 0.0, None)
    return (bg_nbd.expected_purchases(fit, ages) * counts[None, :]).sum(axis=1)


def tracking_series(
    summary: pd.DataFrame,
    daily_repeat_purchases: pd.DataFrame,
    parameters: pd.DataFrame,
    period: pd.DataFrame,
) -> pd.DataFrame:
    """Weekly cumulative repeat purchases of the calibration customers, actual and expected.

    ``summary``: the purchase summary at the cutoff (first_purchase_date per customer);
    ``daily_repeat_purchases``: purchase_date, repeat_purchases (the customers' purchase days
    after their first, counted per day, through the holdout); ``parameters``: the table of
    ``fit_value_models``; ``period``: as for ``holdout_predictions``.

    Weeks end on cutoff - 1 + 7 j: week 0 is the last of the calibration period, weeks 1, 2, ...
    the holdout (the last one cut at the holdout's end), and the first week holds the
    earliest first purchase. Expected counts are null unless BG/NBD converged.
    """
    cutoff, end, _ = backtest_period(period)
    calibration = _by_customer(summary, [FIRST_PURCHASE_DATE], "summary")
    if calibration.empty:
        raise ValueModelInputError("summary: no customers")
    daily = daily_repeat_purchases
    missing = [c for c in (PURCHASE_DATE, REPEAT_PURCHASES_ON_DAY) if c not in daily]
    if missing:
        raise ValueModelInputError(
            f"daily_repeat_purchases: missing column(s) {missing}; present: {list(daily.columns)}"
        )
    last_calibration_day = cutoff - dt.timedelta(days=1)

    def offset(dates) -> np.ndarray:
        """Days after the last calibration day (0 = that day)."""
        return (
            pd.to_datetime(pd.Series(dates)) - pd.Timestamp(last_calibration_day)
        ).dt.days.to_numpy()

    firsts = offset(calibration[FIRST_PURCHASE_DATE])
    if (firsts > 0).any():
        raise ValueModelInputError(
            f"summary: every first_purchase_date must be before the cutoff {cutoff}"
        )
    first_week = -int(-firsts.min() // TRACKING_PERIOD_DAYS)
    last_week = math.ceil((end - last_calibration_day).days / TRACKING_PERIOD_DAYS)
    weeks = np.arange(first_week, last_week + 1)
    ends = np.minimum(weeks * TRACKING_PERIOD_DAYS, (end - last_calibration_day).days)
    starts = np.concatenate(
        [[weeks[0] * TRACKING_PERIOD_DAYS - TRACKING_PERIOD_DAYS + 1], ends[:-1] + 1]
    )

    days = offset(daily[PURCHASE_DATE])
    counts = pd.to_numeric(daily[REPEAT_PURCHASES_ON_DAY]).to_numpy(dtype="float64")
    if ((days <= firsts.min()) | (days > ends[-1])).any() or (counts < 0).any():
        raise ValueModelInputError(
            "daily_repeat_purchases: every day must lie after the earliest first purchase and "
            f"on or before {end}, with a count >= 0"
        )
    actual = np.array(
        [counts[(days >= s) & (days <= e)].sum() for s, e in zip(starts, ends, strict=True)]
    )

    purchases_fit = fits_from_parameters(parameters)[bg_nbd.MODEL]
    if purchases_fit.status == CONVERGED:
        cumulative = cumulative_expected_repeat_purchases(purchases_fit, firsts, ends)
    else:
        cumulative = np.full(len(ends), np.nan)
    base = pd.Timestamp(last_calibration_day)
    return pd.DataFrame(
        {
            "weeks_from_cutoff": weeks.astype("int32"),
            "predicted_repeat_purchases": np.diff(cumulative, prepend=0.0),
            "actual_repeat_purchases": actual.astype("int64"),
            "predicted_cumulative_repeat_purchases": cumulative,
            "actual_cumulative_repeat_purchases": np.cumsum(actual).astype("int64"),
            "is_holdout": weeks > 0,
            "week_start_date": (base + pd.to_timedelta(starts, unit="D")).date,
            "week_end_date": (base + pd.to_timedelta(ends, unit="D")).date,
        }
    )[TRACKING_COLUMNS]
