"""Business names for clusters that do not depend on the label ids a library returns.

A clustering library numbers its clusters arbitrarily (k-means by initialisation order, ward
by merge order, the mixture by component index). Marketing needs "Champions" to mean the
same customers in every method and every run, so clusters are re-numbered from their
centres and the name follows the number (segment_rank, 1 = best).

Value score of a centre (scaled features in [0, 1], see ``scaling``)::

    value_score = (frequency_scaled + monetary_scaled + (1 - recency_scaled)) / 3

so a cluster of frequent, high-spending, recent buyers scores near 1. The centre of a cluster
is the mean scaled feature vector of the customers finally assigned to it (for k-means this
is the fitted centroid; for ward and the mixture it is what the segment profile reports), so
the order can be checked from the output tables alone.

Order (documented rule):

1. segment_rank 1, Champions: the highest value score.
2. segment_rank k, Low-Value / One-Time Buyers: of the others, the lowest mean monetary (raw
   pounds when the frame has a ``monetary`` column, else monetary_scaled).
3. segment_rank 2..k-1: the rest by value score, highest first.

Why not simply value score all the way down: the score rewards recency, so its lowest
cluster is the long-lapsed one, and on data where recent newcomers spend little (the
synthetic test file; the real file at k >= 5) the "Low-Value" name would go to customers who
spend more than another segment. Rule 2 keeps the name true to what it says; for k = 4 on the
real file both readings give the same segments in all three methods.

Ties are broken by higher frequency, then higher monetary, then lower recency, then the
smallest customer_id in the cluster - never by the library's label.
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
    """Names for segment ranks 1..n_segments (rank 1 = Champions, see ``rank_labels``).

    - 4 segments (what marketing asked for): Champions, Potential Loyalists, Regular
      Customers, Low-Value / One-Time Buyers.
    - 2: Champions, Low-Value / One-Time Buyers.
    - 3: Champions, Regular Customers, Low-Value / One-Time Buyers.
    - 5 or more: Champions, Potential Loyalists, then "Regular Customers 1" ..
      "Regular Customers <k-3>" in falling value, then Low-Value / One-Time Buyers.

    The best and the worst rank keep their name for every k, so reports and tests that
    speak of Champions or Low-Value buyers stay meaningful when k changes.
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


def rank_labels(
    scaled: np.ndarray,
    labels: np.ndarray,
    customer_ids: np.ndarray,
    monetary: np.ndarray | None = None,
) -> dict[int, int]:
    """Map each library label to its segment_rank (1 = Champions .. k = Low-Value).

    ``scaled`` holds recency, frequency, monetary scaled, one row per customer, aligned with
    ``labels``, ``customer_ids`` and (optional) raw ``monetary``. See the module docstring
    for the rule.
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
    names = segment_names(n_segments)
    segment_rank = np.array([ranks[int(label)] for label in labels], dtype="int64")
    return pd.DataFrame(
        {
            "customer_id": customer_ids,
            "segment_rank": segment_rank.astype("int32"),
            "segment": [names[rank - 1] for rank in segment_rank],
        }
    )
