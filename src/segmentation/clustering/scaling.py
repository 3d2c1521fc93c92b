"""MinMax scaling of recency, frequency and monetary, with an optional log1p before it.

By default (var ``rfm_log_transform``) frequency and monetary are log1p-transformed first:
both are heavy-tailed, and a plain MinMax would squeeze almost every customer into the
bottom hundredths of the scale and let a handful of wholesale buyers decide the clustering
(measurements: docs/decisions.md). Recency is bounded and already spread; a log there would
stretch the difference between "bought yesterday" and "bought last week" over the whole
range, so it is left untransformed.

The fitted minimum and maximum are those of the transformed value, persisted one row per
feature, so any score can be reproduced by hand::

    scaled = (t(x) - fitted_min) / (fitted_max - fitted_min),  t = log1p or identity

A feature with fitted_max == fitted_min scales to 0 for every customer (it carries no
information). Values outside the fitted range (customers scored later) fall outside [0, 1];
they are not clipped, so the arithmetic above stays exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import FEATURES, SCALED_FEATURES, ClusteringInputError, numeric_matrix
from ._frames import sorted_by_customer as _sorted
from .config import DEFAULT_CONFIG, ClusteringConfig

#: The columns the scaler reads of a customer table (a model reads only these).
SCALING_INPUT_COLUMNS: tuple[str, ...] = ("customer_id", *FEATURES)


def fit_feature_scaling(
    customers: pd.DataFrame, config: ClusteringConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """Fit the scaler: one row per feature with feature, transform, fitted_min, fitted_max.

    ``customers`` needs recency_days, frequency and monetary (one row per customer); the
    features ``config.log_features`` are log1p-transformed.
    """
    matrix = numeric_matrix(customers, FEATURES, frame_name="customers")
    if len(matrix) == 0:
        raise ClusteringInputError("customers: no rows; cannot fit a scaler on nothing")
    logged = config.log_features
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
    scaled = scaled_matrix(numeric_matrix(customers, FEATURES, frame_name="customers"), scaling)
    result = customers[["customer_id", *FEATURES]].copy()
    for position, scaled_name in enumerate(SCALED_FEATURES):
        result[scaled_name] = scaled[:, position]
    return result


def scaled_matrix(matrix: np.ndarray, scaling: pd.DataFrame) -> np.ndarray:
    """Rows of ``FEATURES`` (a float matrix, columns in that order) scaled with a fitted
    scaler, as a matrix of ``SCALED_FEATURES``; rows need not be customers."""
    missing = [f for f in FEATURES if f not in set(scaling.get("feature", pd.Series()))]
    if missing:
        raise ClusteringInputError(
            f"scaling: no row for feature(s) {missing}; expected one row per feature of "
            f"{list(FEATURES)} with columns feature, transform, fitted_min, fitted_max"
        )
    params = scaling.set_index("feature")
    scaled = np.empty(matrix.shape, dtype="float64")
    for position, feature in enumerate(FEATURES):
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
        scaled[:, position] = (values - low) / span if span > 0 else 0.0
    return scaled


def scale_features(
    customers: pd.DataFrame, config: ClusteringConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """Fit and apply in one call (convenience for notebooks and tests)."""
    return apply_feature_scaling(customers, fit_feature_scaling(customers, config))
