"""k selection: every metric per method and k, a documented recommendation, the used k."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import scaled_customers

from segmentation.clustering import (
    ClusteringConfig,
    ClusteringInputError,
    evaluate_cluster_counts,
    recommend_k,
    resolve_n_segments,
    used_k,
)


def _features() -> pd.DataFrame:
    return scaled_customers(per_group=12).drop(columns="true_group")


def _fast(**settings) -> ClusteringConfig:
    """A configuration with few k-means initialisations, for quick sweeps."""
    return ClusteringConfig(selection_kmeans_n_init=2, selection_gmm_n_init=1, **settings)


def test_table_has_every_metric_for_each_method_and_k():
    # given well-separated customers, when k = 2..5 is swept
    table = evaluate_cluster_counts(_features(), _fast(k_min=2, k_max=5, n_segments=4))
    # then there is one row per method and k
    assert len(table) == 3 * 4
    assert not table.duplicated(["method", "k"]).any()
    # and method-specific metrics are only filled for their method
    kmeans = table["method"] == "kmeans"
    gmm = table["method"] == "gmm"
    assert table.loc[kmeans, "inertia"].notna().all()
    assert table.loc[~kmeans, "inertia"].isna().all()
    assert table.loc[gmm, ["bic", "aic"]].notna().all().all()
    assert table.loc[~gmm, ["bic", "aic"]].isna().all().all()
    assert table["silhouette"].between(-1, 1).all()
    # and the used k is the requested one, for every method
    assert table.loc[table["is_used"], "k"].tolist() == [4, 4, 4]
    assert table.loc[table["is_recommended"], "method"].tolist() == [
        "kmeans",
        "agglomerative",
        "gmm",
    ]


def test_auto_uses_the_recommended_k():
    table = evaluate_cluster_counts(_features(), _fast(k_min=2, k_max=6, n_segments="auto"))
    assert (table["is_used"] == table["is_recommended"]).all()
    assert used_k(table) == recommend_k(table)


def test_four_separated_groups_are_recommended_four_segments():
    table = evaluate_cluster_counts(_features(), _fast(k_min=2, k_max=8))
    assert recommend_k(table) == 4


def test_elbow_rule_picks_the_knee_of_the_inertia_curve():
    # given an inertia curve that falls steeply until k = 3 and flatly after
    curve = pd.DataFrame(
        {
            "method": "kmeans",
            "k": range(2, 9),
            "inertia": [100.0, 30.0, 26.0, 23.0, 21.0, 20.0, 19.5],
        }
    )
    assert recommend_k(curve) == 3


def test_bounded_samples_keep_the_sweep_deterministic():
    features = scaled_customers(per_group=30).drop(columns="true_group")
    config = _fast(
        k_min=2,
        k_max=4,
        model_selection_max_customers=80,
        silhouette_sample_size=50,
        agglomerative_max_fit_customers=40,
    )
    first = evaluate_cluster_counts(features, config)
    again = evaluate_cluster_counts(features.sample(frac=1.0, random_state=4), config)
    pd.testing.assert_frame_equal(first, again)


def test_k_max_beyond_the_distinct_customers_is_a_clear_error():
    # given 6 customers and k lowering switched off
    features = _features().head(6)
    with pytest.raises(ClusteringInputError, match="k_max"):
        evaluate_cluster_counts(features, ClusteringConfig(k_min=2, k_max=10, lower_k_to_fit=False))


@pytest.mark.parametrize(("value", "expected"), [("auto", 7), ("4", 4), (5, 5)])
def test_n_segments_accepts_auto_and_integers(value, expected):
    n_segments = ClusteringConfig.from_vars({"n_segments": value}).n_segments
    assert resolve_n_segments(n_segments, recommended=7) == expected


@pytest.mark.parametrize("value", ["four", 1, None, 11])
def test_n_segments_rejects_anything_else(value):
    with pytest.raises(ClusteringInputError, match="n_segments"):
        ClusteringConfig.from_vars({"n_segments": value})


def test_used_k_requires_exactly_one_used_k():
    table = pd.DataFrame({"k": [2, 3], "is_used": [False, False]})
    with pytest.raises(ClusteringInputError, match="exactly one k"):
        used_k(table)
    assert np.isscalar(used_k(table.assign(is_used=[False, True])))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_silhouette_equals_scikit_learn(seed):
    # given random points and labels, including a singleton cluster
    from sklearn.metrics import pairwise_distances, silhouette_score

    from segmentation.clustering.selection import silhouette_from_distances

    rng = np.random.default_rng(seed)
    points = rng.uniform(size=(50, 3))
    labels = rng.integers(0, 4, size=50)
    labels[0] = 9  # a cluster of one customer
    distances = pairwise_distances(points)
    # then the shared-matrix silhouette is scikit-learn's
    expected = silhouette_score(distances, labels, metric="precomputed")
    assert silhouette_from_distances(distances, labels) == pytest.approx(expected, abs=1e-12)


def test_silhouettes_of_many_labelings_in_one_pass_equal_scikit_learn():
    # given one distance matrix and labelings with different numbers of clusters
    from sklearn.metrics import pairwise_distances, silhouette_score

    from segmentation.clustering.selection import silhouettes_from_distances

    rng = np.random.default_rng(7)
    points = rng.uniform(size=(80, 3))
    labelings = [rng.integers(0, k, size=80) for k in (2, 3, 5, 9)]
    labelings.append(np.where(np.arange(80) == 3, 42, labelings[1]))  # one singleton
    distances = pairwise_distances(points)
    # when all are scored at once, then each is scikit-learn's silhouette, in order
    expected = [silhouette_score(distances, labels, metric="precomputed") for labels in labelings]
    assert silhouettes_from_distances(distances, labelings) == pytest.approx(expected, abs=1e-12)
