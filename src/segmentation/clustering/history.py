"""Clustering segments at past as-of dates, by the models fitted at the build's as-of date.

A segment name must mean the same thing at every date, so nothing is fitted on past data:
each row of the RFM history (one per customer and as-of date) is scaled with the persisted
scaler (``apply_feature_scaling``) and assigned by the current models:

- k-means: the nearest centre of the current k-means model;
- agglomerative (ward): the nearest centre of the current ward clusters in their fit sample,
  the rule the model applies to every customer outside that sample; a fit-sample customer
  keeps its tree segment where its row equals the values the tree was fitted on (its current
  recency, frequency and monetary, i.e. at the build's as-of date);
- Gaussian mixture: the most probable component of the current mixture.

k-means and the mixture are read from their persisted parameters (``fit_cluster_models``),
the same table ``kmeans_segments`` and ``gmm_segment_probabilities`` assign every customer
with, so nothing is fitted again and the rows at the build's as-of date get exactly the
segments of those two functions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import pairwise_distances_argmin

from ._frames import (
    FEATURES,
    METHODS,
    ClusteringInputError,
    check_cluster_count,
    numeric_matrix,
    require_columns,
    single_threaded,
)
from .config import DEFAULT_CONFIG, ClusteringConfig
from .methods import (
    FITTED_METHODS,
    _method_arrays,
    _n_segments,
    _predicted_labels,
    _prepared,
    fit_cluster_models,
)
from .naming import names_of_ranks
from .scaling import scaled_matrix

#: The columns ``history_segments`` reads of the RFM history (a model reads only these).
HISTORY_INPUT_COLUMNS: tuple[str, ...] = ("customer_id", "as_of_date", *FEATURES)

#: The columns of ``history_segments``'s result: the key, then rank and name per method.
HISTORY_SEGMENT_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "as_of_date",
    *(f"{method}_{part}" for method in METHODS for part in ("segment_rank", "segment")),
)


def _scaled_history(history: pd.DataFrame, scaling: pd.DataFrame) -> np.ndarray:
    """The history rows scaled with the persisted scaler, in the rows' order."""
    return scaled_matrix(numeric_matrix(history, FEATURES, frame_name="history"), scaling)


def _checked_history(history: pd.DataFrame) -> pd.DataFrame:
    require_columns(history, list(HISTORY_INPUT_COLUMNS), frame_name="history")
    key = history[["customer_id", "as_of_date"]]
    if key.isna().any().any():
        raise ClusteringInputError("history: customer_id and as_of_date must not be null")
    # the key as one integer: hashing an int64 column is cheaper than hashing row tuples
    customer, _ = pd.factorize(key["customer_id"])
    date, dates = pd.factorize(key["as_of_date"])
    combined = pd.Series(customer.astype("int64") * len(dates) + date)
    duplicated = combined.duplicated(keep=False).to_numpy()
    if duplicated.any():
        example = key.loc[duplicated].iloc[0].tolist()
        raise ClusteringInputError(
            "history: expected one row per customer_id and as_of_date; "
            f"{int(duplicated.sum())} rows share a key, e.g. {example}"
        )
    return history.reset_index(drop=True)


def _ward_centres(
    matrix: np.ndarray, customer_ids: np.ndarray, agglomerative: pd.DataFrame, k: int
) -> tuple[np.ndarray, pd.DataFrame]:
    """Centres of the ward segments over their fit sample, row r - 1 for rank r (as
    ``methods.nearest_centre_labels`` computes them), and the current assignment by id."""
    require_columns(
        agglomerative,
        ["customer_id", "segment_rank", "is_fit_sample"],
        frame_name="agglomerative",
    )
    current = agglomerative.set_index("customer_id")
    absent = ~pd.Index(customer_ids).isin(current.index)
    if absent.any():
        raise ClusteringInputError(
            f"agglomerative: {int(absent.sum())} customer(s) of features have no ward "
            f"segment, e.g. {customer_ids[absent][0]!r}; is it the assignment of these features?"
        )
    aligned = current.loc[customer_ids]
    in_sample = aligned["is_fit_sample"].to_numpy(dtype=bool)
    ranks = aligned["segment_rank"].to_numpy(dtype="int64")
    centres = []
    for rank in range(1, k + 1):
        members = in_sample & (ranks == rank)
        if not members.any():
            raise ClusteringInputError(
                f"agglomerative: segment rank {rank} has no fit-sample customer; expected "
                f"ranks 1..{k} each with a fitted cluster"
            )
        centres.append(matrix[members].mean(axis=0))
    return np.vstack(centres), aligned


class _CurrentAssignment(NamedTuple):
    """The current customers (in one order) and their ward segments, which a history row
    of the same customer at the same point keeps."""

    customer_ids: pd.Index
    features: np.ndarray
    in_sample: np.ndarray
    tree_ranks: np.ndarray
    ward_centres: np.ndarray


#: History rows assigned at a time: the prediction's temporaries grow with it, not the history.
_CHUNK_ROWS = 1_000_000


def _chunk_ranks(
    rows: pd.DataFrame,
    scaling: pd.DataFrame,
    arrays: dict[str, dict[str, np.ndarray]],
    current: _CurrentAssignment,
    config: ClusteringConfig,
) -> dict[str, np.ndarray]:
    """Segment rank per method of some history rows, by the persisted models."""
    scaled = _scaled_history(rows, scaling)
    ranks = {}
    for method, method_arrays in arrays.items():
        labels, _ = _predicted_labels(method, method_arrays, scaled, config)
        ranks[method] = method_arrays["segment_rank"].astype("int64")[labels]
    ward = pairwise_distances_argmin(scaled, current.ward_centres) + 1
    # a fit-sample customer keeps its tree segment at the point the tree was fitted on
    position = current.customer_ids.get_indexer(rows["customer_id"])
    known = position >= 0
    position = np.where(known, position, 0)
    now = current.features[position]
    at_fitted_point = known & (rows[list(FEATURES)].to_numpy(dtype="float64") == now).all(axis=1)
    in_sample_now = current.in_sample[position]
    ranks["agglomerative"] = np.where(
        at_fitted_point & in_sample_now, current.tree_ranks[position], ward
    )
    return ranks


@single_threaded
def history_segments(
    history: pd.DataFrame,
    features: pd.DataFrame,
    scaling: pd.DataFrame,
    agglomerative: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
    models: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Segment rank and name per method for every row of an RFM history.

    ``history``: customer_id, as_of_date, recency_days, frequency, monetary; one row per
    customer and as-of date. ``features``: the current customers' scaled features (the
    output of ``apply_feature_scaling``, what the models were fitted on); ``scaling``: the
    persisted scaler; ``agglomerative``: the current ward assignment (``cut_and_assign``);
    ``models``: the persisted k-means and mixture (``fit_cluster_models``; fitted here when
    not given). ``model_selection`` and ``config`` as for ``kmeans_segments``. Returns
    ``HISTORY_SEGMENT_COLUMNS``, one row per row of ``history``, in its order.
    """
    rows = _checked_history(history)
    frame, matrix = _prepared(features, "features")
    if models is None:
        models = fit_cluster_models(features, config, model_selection=model_selection)
    arrays = {method: _method_arrays(models, method) for method in FITTED_METHODS}
    k = check_cluster_count(len(arrays["kmeans"]["segment_rank"]), matrix, frame_name="features")
    if model_selection is not None and _n_segments(config, model_selection) != k:
        raise ClusteringInputError(
            f"models: {k} k-means segments, but the model selection uses "
            f"{_n_segments(config, model_selection)}"
        )
    customer_ids = frame["customer_id"].to_numpy()
    result = rows[["customer_id", "as_of_date"]].copy()
    if rows.empty:
        for method in METHODS:
            result[f"{method}_segment_rank"] = pd.Series(dtype="int32")
            result[f"{method}_segment"] = pd.Series(dtype="object")
        return result
    centres, ward_now = _ward_centres(matrix, customer_ids, agglomerative, k)
    # ward_now and frame are in customer_ids' order
    current = _CurrentAssignment(
        customer_ids=pd.Index(customer_ids),
        features=frame[list(FEATURES)].to_numpy(dtype="float64"),
        in_sample=ward_now["is_fit_sample"].to_numpy(dtype=bool),
        tree_ranks=ward_now["segment_rank"].to_numpy(dtype="int64"),
        ward_centres=centres,
    )
    assigned = {method: np.empty(len(rows), dtype="int32") for method in METHODS}
    for start in range(0, len(rows), _CHUNK_ROWS):
        chunk = rows.iloc[start : start + _CHUNK_ROWS]
        for method, ranks in _chunk_ranks(chunk, scaling, arrays, current, config).items():
            assigned[method][start : start + len(chunk)] = ranks
    for method in METHODS:
        result[f"{method}_segment_rank"] = assigned[method]
        result[f"{method}_segment"] = names_of_ranks(assigned[method], k)
    return result[list(HISTORY_SEGMENT_COLUMNS)]
