"""Input checks shared by the clustering functions.

Every public function receives a pandas DataFrame from a dbt Python model. A wrong frame (a
missing column, a null, a duplicated customer) must stop the build with a message that names
the frame, the column and what was expected, instead of a scikit-learn stack trace or a
silently dropped customer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

#: Raw RFM features, in the order used everywhere (matrices, scaler rows, centres).
FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary")
#: Their [0, 1]-scaled counterparts, same order.
SCALED_FEATURES: tuple[str, ...] = ("recency_scaled", "frequency_scaled", "monetary_scaled")
#: The three clustering methods, in the order reports list them.
METHODS: tuple[str, ...] = ("kmeans", "agglomerative", "gmm")


class ClusteringInputError(ValueError):
    """A frame handed to a clustering function does not have the promised shape."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, frame_name: str) -> None:
    """Fail with the list of missing columns, not with a KeyError deep inside pandas."""
    if not isinstance(frame, pd.DataFrame):
        raise ClusteringInputError(
            f"{frame_name}: expected a pandas DataFrame, got {type(frame).__name__}"
        )
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ClusteringInputError(
            f"{frame_name}: missing column(s) {missing}; present: {list(frame.columns)}"
        )


def numeric_matrix(frame: pd.DataFrame, columns: Iterable[str], *, frame_name: str) -> np.ndarray:
    """Return the columns as a float matrix; reject non-numeric, null and infinite values."""
    columns = list(columns)
    require_columns(frame, columns, frame_name=frame_name)
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype("float64"))
        if bad.any():
            example = frame.loc[bad, column].iloc[0]
            raise ClusteringInputError(
                f"{frame_name}: column {column!r} must be a finite number for every row; "
                f"{int(bad.sum())} row(s) are not (first offending value: {example!r})"
            )
    return frame[columns].to_numpy(dtype="float64")


def sorted_by_customer(frame: pd.DataFrame, *, frame_name: str) -> pd.DataFrame:
    """Sort by customer_id and check it is a unique, non-null key.

    Sorting first is what makes every result independent of the row order a warehouse happens
    to return: samples, k-means initialisation and tie-breaks all see the same sequence.
    """
    require_columns(frame, ["customer_id"], frame_name=frame_name)
    if frame["customer_id"].isna().any():
        raise ClusteringInputError(
            f"{frame_name}: column 'customer_id' has {int(frame['customer_id'].isna().sum())} "
            "null(s); every row must identify a customer"
        )
    duplicated = frame["customer_id"].duplicated(keep=False)
    if duplicated.any():
        examples = sorted(frame.loc[duplicated, "customer_id"].unique().tolist())[:5]
        raise ClusteringInputError(
            f"{frame_name}: column 'customer_id' must be unique (one row per customer); "
            f"duplicated ids include {examples}"
        )
    return frame.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


_PREFIX_ROWS = 10_000


def check_cluster_count(
    k: int, features: np.ndarray, *, frame_name: str, name: str = "n_segments"
) -> int:
    """Return k, or explain why the data cannot be cut into that many segments."""
    # a prefix with k distinct rows settles it without sorting a million rows
    if len(features) > _PREFIX_ROWS and len(np.unique(features[:_PREFIX_ROWS], axis=0)) >= k:
        return k
    distinct = len(np.unique(features, axis=0)) if len(features) else 0
    if distinct < k:
        raise ClusteringInputError(
            f"{frame_name}: cannot form {k} segments ({name}={k}) from {len(features)} "
            f"customer(s) with "
            f"{distinct} distinct feature vector(s); need at least {k} distinct customers"
        )
    return k


_P = ParamSpec("_P")
_R = TypeVar("_R")


def single_threaded(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run with OpenMP/BLAS limited to one thread.

    dbt runs two Python models at once; a thread pool per core in each would oversubscribe
    the CPU (docs/decisions.md). Results do not depend on the thread count.
    """

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return wrapper
