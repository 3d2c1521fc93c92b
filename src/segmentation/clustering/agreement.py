"""How far the three clusterings agree, pair by pair.

Adjusted Rand index and adjusted mutual information compare two partitions of the same
customers and ignore how the clusters are numbered; both are 1 for identical partitions and
about 0 for agreement no better than chance. Both are O(n) given the contingency table, so
they run on every customer.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from ._frames import METHODS, ClusteringInputError, require_columns, sorted_by_customer


def method_agreement(
    segments: pd.DataFrame, *, methods: tuple[str, ...] | list[str] = METHODS
) -> pd.DataFrame:
    """One row per pair of methods: method_a, method_b, adjusted_rand_index,
    adjusted_mutual_info.

    ``segments`` is one row per customer with a ``<method>_segment_rank`` column per method
    (the shape of dim_customer_segments).
    """
    methods = list(methods)
    if len(methods) < 2:
        raise ClusteringInputError(f"methods: need at least two to compare, got {methods}")
    columns = [f"{method}_segment_rank" for method in methods]
    frame = sorted_by_customer(segments, frame_name="segments")
    require_columns(frame, columns, frame_name="segments")
    for column in columns:
        if frame[column].isna().any():
            raise ClusteringInputError(
                f"segments: column {column!r} has {int(frame[column].isna().sum())} null(s);"
                " every customer needs a cluster in every method"
            )
    rows = []
    for method_a, method_b in combinations(methods, 2):
        a = frame[f"{method_a}_segment_rank"].to_numpy()
        b = frame[f"{method_b}_segment_rank"].to_numpy()
        rows.append(
            {
                "method_a": method_a,
                "method_b": method_b,
                "adjusted_rand_index": float(adjusted_rand_score(a, b)),
                "adjusted_mutual_info": float(adjusted_mutual_info_score(a, b)),
            }
        )
    return pd.DataFrame(rows)
