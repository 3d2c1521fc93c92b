"""Names follow the value rank of cluster centres, never the library's label ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import scaled_customers

from segmentation.clustering import ClusteringInputError, segment_names, value_score
from segmentation.clustering.naming import named_assignment

SCALED = ["recency_scaled", "frequency_scaled", "monetary_scaled"]


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7, 10])
def test_names_are_unique_and_keep_champions_first_and_low_value_last(k):
    names = segment_names(k)
    assert len(names) == len(set(names)) == k
    assert names[0] == "Champions"
    assert names[-1] == "Low-Value / One-Time Buyers"


def test_four_segments_get_the_names_marketing_asked_for():
    assert segment_names(4) == [
        "Champions",
        "Potential Loyalists",
        "Regular Customers",
        "Low-Value / One-Time Buyers",
    ]


def test_value_score_rewards_frequency_and_monetary_and_punishes_recency():
    assert value_score(0.0, 1.0, 1.0) == pytest.approx(1.0)
    assert value_score(1.0, 0.0, 0.0) == pytest.approx(0.0)
    assert value_score(0.2, 0.5, 0.5) > value_score(0.4, 0.5, 0.5)


def test_names_do_not_depend_on_which_label_ids_the_library_returned():
    # given the true groups as labels, and the same partition with labels permuted
    frame = scaled_customers()
    labels = frame["true_group"].to_numpy()
    permuted = np.array([3, 0, 2, 1])[labels]
    # when both are named
    ids, matrix = frame["customer_id"].to_numpy(), frame[SCALED].to_numpy()
    first = named_assignment(ids, matrix, labels, n_segments=4)
    second = named_assignment(ids, matrix, permuted, n_segments=4)
    # then the outputs are identical and the best group is Champions
    pd.testing.assert_frame_equal(first, second)
    best = first.loc[frame["true_group"].to_numpy() == 0, "segment"].unique()
    assert best.tolist() == ["Champions"]
    worst = first.loc[frame["true_group"].to_numpy() == 3, "segment"].unique()
    assert worst.tolist() == ["Low-Value / One-Time Buyers"]


def test_an_empty_cluster_is_reported_not_named():
    frame = scaled_customers()
    labels = np.minimum(frame["true_group"].to_numpy(), 2)  # only 3 clusters present
    with pytest.raises(ClusteringInputError, match="3 non-empty cluster"):
        named_assignment(
            frame["customer_id"].to_numpy(), frame[SCALED].to_numpy(), labels, n_segments=4
        )
