"""Business names for clusters that do not depend on the label ids a library returns.

A clustering library numbers its clusters arbitrarily (k-means by initialisation order, ward
by merge order, the mixture by component index). Marketing needs "Champions" to mean the
same customers in every method and every run, so clusters are re-numbered by a value score
of their centre and the name follows the rank.

Value score of a centre (scaled features in [0, 1], see ``scaling``)::

    value_score = (frequency_scaled + monetary_scaled + (1 - recency_scaled)) / 3

so a cluster of frequent, high-spending, recent buyers scores near 1. The centre of a cluster
is the mean scaled feature vector of the customers finally assigned to it (for k-means this
is the fitted centroid; for ward and the mixture it is what the segment profile reports), so
the order of names can be checked from the output tables alone. Ties on the score are broken
by higher frequency, then higher monetary, then lower recency, then the smallest customer_id
in the cluster - never by the library's label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import ClusteringInputError

CHAMPIONS = "Champions"
POTENTIAL_LOYALISTS = "Potential Loyalists"
REGULAR_CUSTOMERS = "Regular Customers"
LOW_VALUE = "Low-Value / One-Time Buyers"


def segment_names(n_segments: int) -> list[str]:
    """Names for value ranks 1..n_segments (rank 1 = highest value score).

    - 4 segments (what marketing asked for): Champions, Potential Loyalists, Regular
      Customers, Low-Value / One-Time Buyers.
    - 2: Champions, Low-Value / One-Time Buyers.
    - 3: Champions, Regular Customers, Low-Value / One-Time Buyers.
    - 5 or more: Champions, Potential Loyalists, then "Regular Customers 1" ..
      "Regular Customers <k-3>" in falling value, then Low-Value / One-Time Buyers.

    The best and the worst rank keep their name for every k, so reports and tests that
    speak of Champions or Low-Value buyers stay meaningful when k changes. Caveat measured
    on the real file: for k = 4 (and 2, 3) the lowest value rank is also the lowest mean
    spend in every method, but for k >= 5 the lowest rank is the long-lapsed group and a
    recent low spender in the middle can spend less on average; the dbt test
    assert_low_value_buyers_have_lowest_mean_monetary reports it when it happens.
    """
    k = int(n_segments)
    if k < 2:
        raise ClusteringInputError(f"n_segments must be >= 2, got {n_segments!r}")
    if k == 2:
        return [CHAMPIONS, LOW_VALUE]
    if k == 3:
        return [CHAMPIONS, REGULAR_CUSTOMERS, LOW_VALUE]
    if k == 4:
        return [CHAMPIONS, POTENTIAL_LOYALISTS, REGULAR_CUSTOMERS, LOW_VALUE]
    middle = [f"{REGULAR_CUSTOMERS} {i}" for i in range(1, k - 2)]
    return [CHAMPIONS, POTENTIAL_LOYALISTS, *middle, LOW_VALUE]


def value_score(
    recency_scaled: np.ndarray | float,
    frequency_scaled: np.ndarray | float,
    monetary_scaled: np.ndarray | float,
) -> np.ndarray | float:
    """Documented value score of a centre: mean of frequency, monetary and (1 - recency)."""
    return (
        np.asarray(frequency_scaled)
        + np.asarray(monetary_scaled)
        + (1.0 - np.asarray(recency_scaled))
    ) / 3.0


def rank_labels(scaled: np.ndarray, labels: np.ndarray, customer_ids: np.ndarray) -> dict[int, int]:
    """Map each library label to its value rank (1 = best) from the members' centres.

    ``scaled`` holds recency, frequency, monetary scaled, one row per customer, aligned with
    ``labels`` and ``customer_ids``. Raises if a label has no members (it could not be named).
    """
    frame = pd.DataFrame(scaled, columns=["r", "f", "m"])
    frame["label"] = np.asarray(labels)
    frame["customer_id"] = np.asarray(customer_ids)
    centres = frame.groupby("label", sort=True).agg(
        r=("r", "mean"), f=("f", "mean"), m=("m", "mean"), first_id=("customer_id", "min")
    )
    centres["score"] = value_score(centres["r"], centres["f"], centres["m"])
    ordered = centres.sort_values(
        ["score", "f", "m", "r", "first_id"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    )
    return {int(label): rank for rank, label in enumerate(ordered.index, start=1)}


def named_assignment(
    customer_ids: np.ndarray,
    scaled: np.ndarray,
    labels: np.ndarray,
    *,
    n_segments: int,
) -> pd.DataFrame:
    """Turn library labels into customer_id, cluster_id (value rank), segment.

    Raises when fewer than ``n_segments`` clusters received customers: an empty segment
    cannot be ranked or named, and reporting it as present would be a lie.
    """
    present = np.unique(labels)
    if len(present) != n_segments:
        raise ClusteringInputError(
            f"the fit produced {len(present)} non-empty cluster(s) instead of {n_segments}; "
            "the data has too few distinct customers for this many segments"
        )
    ranks = rank_labels(scaled, labels, customer_ids)
    names = segment_names(n_segments)
    cluster_id = np.array([ranks[int(label)] for label in labels], dtype="int64")
    return pd.DataFrame(
        {
            "customer_id": customer_ids,
            "cluster_id": cluster_id.astype("int32"),
            "segment": [names[rank - 1] for rank in cluster_id],
        }
    )
