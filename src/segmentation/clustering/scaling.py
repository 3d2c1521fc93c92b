"""MinMax scaling of recency, frequency and monetary, with an optional log1p before it.

Why log1p on frequency and monetary by default (measured on the real file, 4,334 customers):
frequency has skewness 11.9 and monetary 19.6 (maximum 279,138 against a median of about
670), so a plain MinMax puts 99 % of customers into the bottom few hundredths of
monetary_scaled and the clustering is decided by a handful of wholesale buyers. After log1p
the skewness is 1.2 and 0.4 and the scaled values use the whole [0, 1] range. Recency is
bounded (0..374 days, skewness 1.2) and already spread; a log there would stretch the
difference between "bought yesterday" and "bought last week" over the whole range, so it is
left untransformed.

The fitted minimum and maximum are those of the transformed value, persisted one row per
feature, so any score can be reproduced by hand::

    scaled = (t(x) - fitted_min) / (fitted_max - fitted_min),  t = log1p or identity

A feature with fitted_max == fitted_min scales to 0 for every customer (it carries no
information). Values outside the fitted range (customers scored later) fall outside [0, 1];
they are not clipped, so the arithmetic above stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._frames import FEATURES, SCALED_FEATURES, ClusteringInputError, numeric_matrix
from ._frames import sorted_by_customer as _sorted

#: Features log1p-transformed when ``log_transform`` is True: the two heavy-tailed ones.
DEFAULT_LOG_FEATURES: tuple[str, ...] = ("frequency", "monetary")


def _log_features(log_transform: bool | str | Iterable[str]) -> set[str]:
    """Accept True/False (also as the strings dbt renders) or an explicit list of features."""
    if isinstance(log_transform, str):
        lowered = log_transform.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return set(DEFAULT_LOG_FEATURES)
        if lowered in {"false", "0", "no", "none", ""}:
            return set()
        log_transform = [part.strip() for part in log_transform.split(",")]
    if isinstance(log_transform, bool | np.bool_):
        return set(DEFAULT_LOG_FEATURES) if log_transform else set()
    chosen = set(log_transform)
    unknown = chosen - set(FEATURES)
    if unknown:
        raise ClusteringInputError(
            f"log_transform names unknown feature(s) {sorted(unknown)}; "
            f"expected a subset of {list(FEATURES)} or true/false"
        )
    return chosen


def fit_feature_scaling(
    customers: pd.DataFrame, *, log_transform: bool | str | Iterable[str] = True
) -> pd.DataFrame:
    """Fit the scaler: one row per feature with feature, transform, fitted_min, fitted_max.

    ``customers`` needs recency_days, frequency and monetary (one row per customer).
    ``log_transform``: True (log1p on frequency and monetary), False, or a list of features.
    """
    matrix = numeric_matrix(customers, FEATURES, frame_name="customers")
    if len(matrix) == 0:
        raise ClusteringInputError("customers: no rows; cannot fit a scaler on nothing")
    logged = _log_features(log_transform)
    rows = []
    for position, feature in enumerate(FEATURES):
        values = matrix[:, position]
        if feature in logged:
            if (values < 0).any():
                raise ClusteringInputError(
                    f"customers: column {feature!r} has negative values (minimum "
                    f"{values.min()}); log1p needs values >= 0 - disable the log transform "
                    "for it or fix the input"
                )
            values = np.log1p(values)
        rows.append(
            {
                "feature": feature,
                "transform": "log1p" if feature in logged else "none",
                "fitted_min": float(values.min()),
                "fitted_max": float(values.max()),
            }
        )
    return pd.DataFrame(rows)


def apply_feature_scaling(customers: pd.DataFrame, scaling: pd.DataFrame) -> pd.DataFrame:
    """Scale customers with a fitted scaler (the output of ``fit_feature_scaling``).

    Returns customer_id, recency_days, frequency, monetary, recency_scaled,
    frequency_scaled, monetary_scaled, one row per customer, sorted by customer_id.
    """
    customers = _sorted(customers, frame_name="customers")
    matrix = numeric_matrix(customers, FEATURES, frame_name="customers")
    missing = [f for f in FEATURES if f not in set(scaling.get("feature", pd.Series()))]
    if missing:
        raise ClusteringInputError(
            f"scaling: no row for feature(s) {missing}; expected one row per feature of "
            f"{list(FEATURES)} with columns feature, transform, fitted_min, fitted_max"
        )
    params = scaling.set_index("feature")
    result = customers[["customer_id", *FEATURES]].copy()
    for position, (feature, scaled_name) in enumerate(zip(FEATURES, SCALED_FEATURES, strict=True)):
        transform = params.at[feature, "transform"]
        values = matrix[:, position]
        if transform == "log1p":
            values = np.log1p(values)
        elif transform != "none":
            raise ClusteringInputError(
                f"scaling: transform for {feature!r} must be 'log1p' or 'none', got {transform!r}"
            )
        low = float(params.at[feature, "fitted_min"])
        span = float(params.at[feature, "fitted_max"]) - low
        result[scaled_name] = (values - low) / span if span > 0 else np.zeros(len(values))
    return result


def scale_features(
    customers: pd.DataFrame, *, log_transform: bool | str | Iterable[str] = True
) -> pd.DataFrame:
    """Fit and apply in one call (convenience for notebooks and tests)."""
    return apply_feature_scaling(
        customers, fit_feature_scaling(customers, log_transform=log_transform)
    )
