"""k-means, Gaussian mixture and ward: deterministic, label-free, every customer once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import scaled_customers
from scipy.cluster.hierarchy import dendrogram, is_valid_linkage
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from segmentation import clustering
from segmentation.clustering import ClusteringConfig, ClusteringInputError

SCALED = ["recency_scaled", "frequency_scaled", "monetary_scaled"]


def _features(per_group: int = 10) -> pd.DataFrame:
    return scaled_customers(per_group).drop(columns="true_group")


def _by_true_group(result: pd.DataFrame, per_group: int = 10) -> pd.Series:
    truth = scaled_customers(per_group)[["customer_id", "true_group"]]
    merged = truth.merge(result, on="customer_id")
    return merged.groupby("true_group")["segment"].agg(lambda s: sorted(set(s)))


FOUR = ClusteringConfig(n_segments=4)
SEGMENTERS = {
    "kmeans": lambda f: clustering.kmeans_segments(f, FOUR),
    "agglomerative": lambda f: clustering.agglomerative_segments(f, FOUR),
    "gmm": lambda f: clustering.gmm_segments(f, FOUR),
}


@pytest.mark.parametrize("method", SEGMENTERS)
def test_each_method_names_well_separated_groups_by_value(method):
    # given four groups with an unmistakable value order
    # when segmented
    result = SEGMENTERS[method](_features())
    # then each true group is exactly one segment, named by its value rank
    assert _by_true_group(result).tolist() == [
        ["Champions"],
        ["Potential Loyalists"],
        ["Regular Customers"],
        ["Low-Value / One-Time Buyers"],
    ]
    assert sorted(result["segment_rank"].unique()) == [1, 2, 3, 4]


@pytest.mark.parametrize("method", SEGMENTERS)
def test_each_method_is_deterministic_and_ignores_row_order(method):
    features = _features(per_group=15)
    first = SEGMENTERS[method](features)
    again = SEGMENTERS[method](features)
    shuffled = SEGMENTERS[method](features.sample(frac=1.0, random_state=11))
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, shuffled)
    assert first["customer_id"].is_unique and len(first) == len(features)


@pytest.mark.parametrize("method", SEGMENTERS)
def test_fewer_distinct_customers_than_segments_is_a_clear_error(method):
    # given 6 customers but only 3 distinct feature vectors
    features = _features().head(3)
    features = pd.concat([features, features.assign(customer_id=features["customer_id"] + 100_000)])
    with pytest.raises(ClusteringInputError, match="3 distinct feature vector"):
        SEGMENTERS[method](features)


@pytest.mark.parametrize(
    ("distinct_rows", "k", "counted"),
    [
        # the first rows repeat one point: the count must read on past them
        ([0] * 12_000 + [1, 2, 3], 4, None),
        ([0] * 12_000 + [1, 2], 4, "3 distinct feature vector"),
        # a prefix with k distinct rows suffices
        ([0, 1, 2, 3] + [0] * 12_000, 4, None),
        ([0, 1, 2] + [0] * 12_000, 4, "3 distinct feature vector"),
    ],
)
def test_the_distinct_customer_count_reads_every_row_when_a_prefix_does_not_settle_it(
    distinct_rows, k, counted
):
    from segmentation.clustering._frames import check_cluster_count

    points = np.eye(4)[distinct_rows]
    if counted is None:
        assert check_cluster_count(k, points, frame_name="features") == k
    else:
        with pytest.raises(ClusteringInputError, match=counted):
            check_cluster_count(k, points, frame_name="features")


def test_mixture_probabilities_are_a_distribution_per_customer():
    # given a fitted mixture's soft membership
    features = _features()
    long = clustering.gmm_segment_probabilities(features, FOUR)
    # then each customer has k rows whose probabilities lie in [0, 1] and sum to 1
    assert len(long) == 4 * len(features)
    assert long["probability"].between(0.0, 1.0).all()
    sums = long.groupby("customer_id")["probability"].sum()
    assert np.allclose(sums, 1.0, atol=1e-9, rtol=0)
    # and exactly one assigned segment per customer, the most probable one
    assert (long.groupby("customer_id")["is_assigned"].sum() == 1).all()
    most_probable = long.loc[long.groupby("customer_id")["probability"].idxmax()]
    assert most_probable["is_assigned"].all()


def test_mixture_entropy_is_between_zero_and_log_k_and_matches_the_probabilities():
    features = _features()
    hard = clustering.gmm_segments(features, FOUR)
    long = clustering.gmm_segment_probabilities(features, FOUR)
    assert hard["entropy"].between(0.0, np.log(4) + 1e-12).all()
    one = long[long["customer_id"] == hard["customer_id"].iloc[0]]["probability"].to_numpy()
    by_hand = -sum(p * np.log(p) for p in one if p > 0)
    assert hard["entropy"].iloc[0] == pytest.approx(by_hand)


def test_mixture_rejects_an_unknown_covariance_type():
    with pytest.raises(ClusteringInputError, match="gmm_covariance_type"):
        ClusteringConfig.from_vars({"gmm_covariance_type": "banded"})


def test_sample_and_assign_equals_a_full_ward_fit_when_the_sample_is_everything():
    # given noisy overlapping data where ward's partition is not obvious
    rng = np.random.default_rng(5)
    features = pd.DataFrame(rng.uniform(size=(60, 3)), columns=SCALED)
    features.insert(0, "customer_id", np.arange(60))
    # when the sample bound covers every customer
    config = ClusteringConfig(n_segments=4, agglomerative_max_fit_customers=60)
    ours = clustering.agglomerative_segments(features, config)
    full = AgglomerativeClustering(n_clusters=4, linkage="ward").fit_predict(
        features[SCALED].to_numpy()
    )
    # then the partition equals scikit-learn's full ward fit (up to label names)
    assert ours["is_fit_sample"].all()
    assert adjusted_rand_score(full, ours["segment_rank"]) == pytest.approx(1.0)


def test_ward_fits_on_a_bounded_sample_and_assigns_the_rest_to_the_nearest_centre():
    features = _features(per_group=25)  # 100 customers
    config = ClusteringConfig(n_segments=4, agglomerative_max_fit_customers=40)
    result = clustering.agglomerative_segments(features, config)
    assert result["is_fit_sample"].sum() == 40
    assert len(result) == 100 and result["customer_id"].is_unique
    # every customer outside the sample sits in the cluster with the nearest sample centre
    merged = features.merge(result, on="customer_id")
    fitted = merged[merged["is_fit_sample"]]
    centres = fitted.groupby("segment_rank")[SCALED].mean()
    rest = merged[~merged["is_fit_sample"]]
    distances = ((rest[SCALED].to_numpy()[:, None, :] - centres.to_numpy()[None]) ** 2).sum(-1)
    assert (centres.index.to_numpy()[distances.argmin(axis=1)] == rest["segment_rank"]).all()


def test_fit_sample_is_deterministic_bounded_and_seeded():
    features = _features(per_group=25)
    seed_1 = ClusteringConfig(agglomerative_max_fit_customers=30, random_state=1)
    seed_2 = ClusteringConfig(agglomerative_max_fit_customers=30, random_state=2)
    first = clustering.select_fit_sample(features, seed_1)
    again = clustering.select_fit_sample(features.sample(frac=1.0, random_state=2), seed_1)
    other = clustering.select_fit_sample(features, seed_2)
    pd.testing.assert_frame_equal(first, again)
    assert len(first) == 30 and first["leaf_node_id"].tolist() == list(range(30))
    assert set(first["customer_id"]) != set(other["customer_id"])


def test_merge_tree_follows_scipy_linkage_semantics_and_draws_a_dendrogram():
    features = _features()
    sample = clustering.select_fit_sample(
        features, ClusteringConfig(agglomerative_max_fit_customers=100)
    )
    tree = clustering.ward_merge_tree(features, sample)
    n = len(sample)
    assert len(tree) == n - 1
    assert tree["merge_step"].tolist() == list(range(1, n))
    assert tree["cluster_size"].iloc[-1] == n
    assert tree["merge_distance"].is_monotonic_increasing
    matrix = clustering.linkage_matrix(tree.sample(frac=1.0, random_state=0))  # order restored
    assert is_valid_linkage(matrix)
    assert len(dendrogram(matrix, no_plot=True)["leaves"]) == n


def test_cut_and_assign_refuses_a_tree_of_another_sample():
    features = _features()
    sample = clustering.select_fit_sample(
        features, ClusteringConfig(agglomerative_max_fit_customers=100)
    )
    tree = clustering.ward_merge_tree(features, sample).iloc[:-1]
    with pytest.raises(ClusteringInputError, match="merges for"):
        clustering.cut_and_assign(features, sample, tree, FOUR)


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_model_selection_table_decides_the_number_of_segments(method):
    # given a model-selection table whose used k is 3
    selection = pd.DataFrame({"k": [2, 3, 4], "is_used": [False, True, False]})
    segment = {"kmeans": clustering.kmeans_segments, "gmm": clustering.gmm_segments}[method]
    # when segmenting with it (n_segments left at its default of 4)
    result = segment(_features(), model_selection=selection)
    # then there are three segments named for k = 3
    assert sorted(result["segment"].unique()) == sorted(
        ["Champions", "Regular Customers", "Low-Value / One-Time Buyers"]
    )


def test_auto_without_a_model_selection_table_is_a_clear_error():
    with pytest.raises(ClusteringInputError, match="needs the model-selection table"):
        clustering.kmeans_segments(_features(), ClusteringConfig(n_segments="auto"))
