"""Business names for clusters that do not depend on the label ids a library returns.

A clustering library numbers its clusters arbitrarily (k-means by initialisation order, ward
by merge order, the mixture by component index), so clusters are ranked from their centres
and the name follows the rank (segment_rank, 1 = Champions). The rule - value score, which
rank gets which name, ties - is the docs block ``cluster_naming_rule`` in
models/intermediate/clustering/_clustering__docs.md (shown on the docs site with the segment
marts); ``rank_labels`` implements it, ``segment_names`` gives the names of its table, and
tests/python/test_clustering_naming.py checks the two against the docs block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ._frames import ClusteringInputError

CHAMPIONS = "Champions"
POTENTIAL_LOYALISTS = "Potential Loyalists"
REGULAR_CUSTOMERS = "Regular Customers"
LOW_VALUE = "Low-Value / One-Time Buyers"


def segment_names(k: int) -> list[str]:
    """Names for segment ranks 1..k (the table of the docs block ``cluster_naming_rule``)."""
    if k < 2:
        raise ClusteringInputError(f"n_segments must be >= 2, got {k!r}")
    if k == 2:
        return [CHAMPIONS, LOW_VALUE]
    if k == 3:
        return [CHAMPIONS, REGULAR_CUSTOMERS, LOW_VALUE]
    if k == 4:
        return [CHAMPIONS, POTENTIAL_LOYALISTS, REGULAR_CUSTOMERS, LOW_VALUE]
    middle = [f"{REGULAR_CUSTOMERS} {i}" for i in range(1, k - 2)]
    return [CHAMPIONS, POTENTIAL_LOYALISTS, *middle, LOW_VALUE]


def names_of_ranks(segment_rank: np.ndarray, k: int) -> pd.api.extensions.ExtensionArray:
    """The name of each segment rank (1..k): an Arrow dictionary of the k names, indexed by
    rank - 1, so no string is copied per row (DuckDB reads it as VARCHAR)."""
    ranks = np.asarray(segment_rank, dtype="int64")
    if len(ranks) and (ranks.min() < 1 or ranks.max() > k):
        raise ClusteringInputError(
            f"segment ranks must lie in 1..{k}, got {ranks.min()}..{ranks.max()}"
        )
    names = pa.DictionaryArray.from_arrays(
        pa.array(ranks - 1, type=pa.int32()), pa.array(segment_names(k), type=pa.string())
    )
    return pd.arrays.ArrowExtensionArray(names)


def value_score(
    recency_scaled: np.ndarray | float,
    frequency_scaled: np.ndarray | float,
    monetary_scaled: np.ndarray | float,
) -> np.ndarray | float:
    """Value score of a centre (``cluster_naming_rule``): mean of frequency, monetary and
    (1 - recency), all scaled."""
    return (
        np.asarray(frequency_scaled)
        + np.asarray(monetary_scaled)
        + (1.0 - np.asarray(recency_scaled))
    ) / 3.0


def rank_labels(
    scaled: np.ndarray,
    labels: np.ndarray,
    customer_ids: np.ndarray,
    monetary: np.ndarray | None = None,
) -> dict[int, int]:
    """Map each library label to its segment_rank (1 = Champions .. k = Low-Value).

    ``scaled`` holds recency, frequency, monetary scaled, one row per customer, aligned with
    ``labels``, ``customer_ids`` and (optional) raw ``monetary``; without raw monetary the
    lowest spend is read from monetary_scaled.
    """
    frame = pd.DataFrame(scaled, columns=["r", "f", "m"])
    frame["label"] = np.asarray(labels)
    frame["customer_id"] = np.asarray(customer_ids)
    frame["spend"] = frame["m"] if monetary is None else np.asarray(monetary, dtype="float64")
    centres = frame.groupby("label", sort=True).agg(
        r=("r", "mean"),
        f=("f", "mean"),
        m=("m", "mean"),
        spend=("spend", "mean"),
        first_id=("customer_id", "min"),
    )
    centres["score"] = value_score(centres["r"], centres["f"], centres["m"])
    by_score = centres.sort_values(
        ["score", "f", "m", "r", "first_id"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    )
    champions, others = by_score.index[0], by_score.iloc[1:]
    if others.empty:
        return {int(champions): 1}
    low_value = others.sort_values(
        ["spend", "score", "first_id"], ascending=[True, True, True], kind="mergesort"
    ).index[0]
    middle = [label for label in others.index if label != low_value]
    order = [champions, *middle, low_value]
    return {int(label): rank for rank, label in enumerate(order, start=1)}


def named_assignment(
    customer_ids: np.ndarray,
    scaled: np.ndarray,
    labels: np.ndarray,
    *,
    n_segments: int,
    monetary: np.ndarray | None = None,
) -> pd.DataFrame:
    """Turn library labels into customer_id, segment_rank (segment rank), segment.

    Raises when fewer than ``n_segments`` clusters received customers: an empty segment
    cannot be ranked or named, and reporting it as present would be a lie.
    """
    present = np.unique(labels)
    if len(present) != n_segments:
        raise ClusteringInputError(
            f"the fit produced {len(present)} non-empty cluster(s) instead of {n_segments}; "
            "the data has too few distinct customers for this many segments"
        )
    ranks = rank_labels(scaled, labels, customer_ids, monetary)
    segment_rank = pd.Series(labels).map(ranks).to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "customer_id": customer_ids,
            "segment_rank": segment_rank.astype("int32"),
            "segment": names_of_ranks(segment_rank, n_segments),
        }
    )
