"""Agreement between methods: adjusted Rand and adjusted mutual information per pair."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.clustering import ClusteringInputError, method_agreement


def test_identical_partitions_with_renumbered_clusters_agree_perfectly():
    # given kmeans and gmm partitions that differ only in their ids, and an unrelated one
    segments = pd.DataFrame(
        {
            "customer_id": range(8),
            "kmeans_segment_rank": [1, 1, 2, 2, 3, 3, 4, 4],
            "agglomerative_segment_rank": [1, 2, 1, 2, 1, 2, 1, 2],
            "gmm_segment_rank": [4, 4, 3, 3, 2, 2, 1, 1],
        }
    )
    # when compared
    table = method_agreement(segments).set_index(["method_a", "method_b"])
    # then the renumbered pair scores 1 and the unrelated pairs score at most 0
    assert table.loc[("kmeans", "gmm"), "adjusted_rand_index"] == pytest.approx(1.0)
    assert table.loc[("kmeans", "gmm"), "adjusted_mutual_info"] == pytest.approx(1.0)
    assert table.loc[("kmeans", "agglomerative"), "adjusted_rand_index"] <= 0.0
    assert len(table) == 3


def test_a_customer_without_a_cluster_is_an_error():
    segments = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "kmeans_segment_rank": [1, None],
            "agglomerative_segment_rank": [1, 2],
            "gmm_segment_rank": [1, 2],
        }
    )
    with pytest.raises(ClusteringInputError, match="kmeans_segment_rank"):
        method_agreement(segments)
