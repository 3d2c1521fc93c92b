"""The per-customer summary the value models read, and its checks.

The columns are those of the dbt model int_customers_purchase_summary (time in days). A frame
that breaks the models' assumptions stops with a message naming the column and the first
offending customer, never with a NaN likelihood or a scipy traceback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The BG/NBD inputs: x (repeat purchases = distinct purchase days - 1), t_x (days from the
#: first to the last purchase day) and T (days from the first purchase day to the end of the
#: calibration period), in the names of int_customers_purchase_summary.
REPEAT_PURCHASES = "repeat_purchases"
LAST_PURCHASE_AGE = "first_to_last_purchase_days"
OBSERVED_DAYS = "first_purchase_to_period_end_days"
#: The Gamma-Gamma input: mean value of the repeat purchase days (null without a repeat).
MEAN_REPEAT_VALUE = "mean_repeat_purchase_value"
CUSTOMER_ID = "customer_id"


class ValueModelInputError(ValueError):
    """A summary handed to a value model does not satisfy the model's assumptions."""


def _first_bad(frame: pd.DataFrame, bad: np.ndarray) -> str:
    """How many rows break a rule, and the first of them, column by column."""
    first = frame.loc[bad].iloc[0]
    return f"{int(bad.sum())} row(s), first: " + ", ".join(
        f"{column}={first[column]}" for column in frame.columns
    )


def _numbers(frame: pd.DataFrame, column: str, frame_name: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueModelInputError(
            f"{frame_name}: {column} must be a finite number; {_first_bad(frame, bad)}"
        )
    return values


def purchase_counts(frame: pd.DataFrame, frame_name: str = "purchase summary") -> tuple:
    """(x, t_x, T) as float arrays, checked: 0 <= t_x <= T, x a whole number >= 0, t_x = 0
    when x = 0; at least one customer."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueModelInputError(f"{frame_name}: expected a DataFrame, got {type(frame)}")
    missing = [c for c in (REPEAT_PURCHASES, LAST_PURCHASE_AGE, OBSERVED_DAYS) if c not in frame]
    if missing:
        raise ValueModelInputError(
            f"{frame_name}: missing column(s) {missing}; present: {list(frame.columns)}"
        )
    if frame.empty:
        raise ValueModelInputError(f"{frame_name}: no customers")
    x = _numbers(frame, REPEAT_PURCHASES, frame_name)
    t_x = _numbers(frame, LAST_PURCHASE_AGE, frame_name)
    big_t = _numbers(frame, OBSERVED_DAYS, frame_name)
    checks = [
        ((x < 0) | (x != np.floor(x)), f"{REPEAT_PURCHASES} must be a whole number >= 0"),
        (t_x < 0, f"{LAST_PURCHASE_AGE} must be >= 0"),
        (t_x > big_t, f"{LAST_PURCHASE_AGE} (t_x) must not exceed {OBSERVED_DAYS} (T)"),
        ((x == 0) & (t_x != 0), f"{LAST_PURCHASE_AGE} must be 0 without repeat purchases"),
    ]
    for bad, rule in checks:
        if bad.any():
            raise ValueModelInputError(f"{frame_name}: {rule}; {_first_bad(frame, bad)}")
    return x, t_x, big_t


def repeat_values(frame: pd.DataFrame, frame_name: str = "purchase summary") -> tuple:
    """(x, m_x) of the customers with at least one repeat purchase, as float arrays, and the
    boolean mask selecting them; m_x must be > 0 for each of them."""
    x, _, _ = purchase_counts(frame, frame_name)
    if MEAN_REPEAT_VALUE not in frame:
        raise ValueModelInputError(
            f"{frame_name}: missing column(s) {[MEAN_REPEAT_VALUE]}; present: {list(frame.columns)}"
        )
    repeat = x > 0
    m_x = pd.to_numeric(frame[MEAN_REPEAT_VALUE], errors="coerce").to_numpy(dtype="float64")
    bad = repeat & ~(np.isfinite(m_x) & (m_x > 0))
    if bad.any():
        raise ValueModelInputError(
            f"{frame_name}: {MEAN_REPEAT_VALUE} must be a number > 0 for every customer with "
            f"a repeat purchase; {_first_bad(frame, bad)}"
        )
    return x[repeat], m_x[repeat], repeat
