"""k-means and the mixture fitted once, persisted as a parameter table, read by every assigner.

Given the same customers, the persisted models assign exactly as the fitted scikit-learn models
do; with a fit sample smaller than the customers, the models are fitted on the sample only and
still assign everyone; the k sweep cuts the persisted ward tree instead of fitting its own, and
fits k-means on its sweep sample and the mixture on its silhouette sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import scaled_customers

from segmentation import clustering
from segmentation.clustering import (
    COVARIANCE_TYPES,
    MODEL_PARAMETER_COLUMNS,
    SCALED_FEATURES,
    ClusteringConfig,
    ClusteringInputError,
    selection,
)
from segmentation.clustering.methods import fit_gmm, fit_kmeans, fit_sample_rows

CONFIG = ClusteringConfig(n_segments=4)


def _features(per_group: int = 10) -> pd.DataFrame:
    return scaled_customers(per_group).drop(columns="true_group")


def _matrix(features: pd.DataFrame) -> np.ndarray:
    return features.sort_values("customer_id")[list(SCALED_FEATURES)].to_numpy()


def test_the_table_holds_each_fitted_array_flat_with_a_rank_per_label():
    # when k-means and the mixture are fitted on every customer
    models = clustering.fit_cluster_models(_features(), CONFIG)
    # then each array is there, flat, with the shapes of scikit-learn's attributes
    assert list(models.columns) == MODEL_PARAMETER_COLUMNS
    sizes = models.groupby(["method", "parameter"]).size().to_dict()
    assert sizes == {
        ("kmeans", "centres"): 4 * 3,
        ("kmeans", "segment_rank"): 4,
        ("gmm", "weights"): 4,
        ("gmm", "means"): 4 * 3,
        ("gmm", "covariances"): 4 * 3 * 3,
        ("gmm", "precisions_cholesky"): 4 * 3 * 3,
        ("gmm", "segment_rank"): 4,
    }
    # and each method's ranks are 1..k, one per label
    for method in ("kmeans", "gmm"):
        rows = (models["method"] == method) & (models["parameter"] == "segment_rank")
        ranks = models.loc[rows, "value"]
        assert sorted(ranks) == [1, 2, 3, 4]


def test_persisted_models_assign_exactly_as_the_fitted_models():
    # given customers fewer than the fit-sample bound, fitted once as scikit-learn models
    features = _features()
    matrix = _matrix(features)
    kmeans = fit_kmeans(matrix, 4, CONFIG)
    gmm = fit_gmm(matrix, 4, CONFIG, n_init=CONFIG.gmm_n_init)
    # when assigned through the persisted parameter table
    models = clustering.fit_cluster_models(features, CONFIG)
    by_kmeans = clustering.kmeans_segments(features, CONFIG, models=models)
    by_gmm = clustering.gmm_segment_probabilities(features, CONFIG, models=models)
    # then the partitions are the fitted models' own labels
    kmeans_ranks = by_kmeans.sort_values("customer_id")["segment_rank"].to_numpy()
    assert len(set(zip(kmeans.labels_, kmeans_ranks, strict=True))) == 4
    assigned = by_gmm.loc[by_gmm["is_assigned"]].sort_values("customer_id")
    hard = gmm.predict_proba(matrix).argmax(axis=1)
    assert len(set(zip(hard, assigned["segment_rank"], strict=True))) == 4
    # and the probabilities are the fitted mixture's, column by column
    wide = by_gmm.pivot(index="customer_id", columns="segment_rank", values="probability")
    fitted = gmm.predict_proba(matrix)
    rank_of_label = dict(zip(hard, assigned["segment_rank"], strict=True))
    for label, rank in rank_of_label.items():
        assert np.allclose(wide[rank].to_numpy(), fitted[:, label], rtol=0, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_covariance_type_is_persisted_and_read_back(covariance_type):
    config = ClusteringConfig(n_segments=4, gmm_covariance_type=covariance_type)
    features = _features()
    models = clustering.fit_cluster_models(features, config, methods=("gmm",))
    fresh = clustering.gmm_segment_probabilities(features, config)
    persisted = clustering.gmm_segment_probabilities(features, config, models=models)
    pd.testing.assert_frame_equal(fresh, persisted)


def test_models_are_fitted_on_the_bounded_sample_and_assign_everyone():
    # given 40 customers and a fit sample of 20
    features = _features()
    config = ClusteringConfig(n_segments=4, clustering_max_fit_customers=20)
    rows = fit_sample_rows(len(features), config)
    # when the models are fitted
    models = clustering.fit_cluster_models(features, config)
    # then the k-means centres are those of a fit on the sample's rows only
    sample_fit = fit_kmeans(_matrix(features)[rows], 4, config)
    centres = models.query("method == 'kmeans' and parameter == 'centres'")["value"]
    assert np.array_equal(centres.to_numpy(), sample_fit.cluster_centers_.reshape(-1))
    # and every customer is assigned, the same way whatever the row order
    assert len(rows) == 20
    segments = clustering.kmeans_segments(features, config, models=models)
    assert segments["customer_id"].is_unique and len(segments) == len(features)
    shuffled = clustering.fit_cluster_models(features.sample(frac=1.0, random_state=3), config)
    pd.testing.assert_frame_equal(models, shuffled)


def test_a_table_without_the_method_is_a_clear_error():
    features = _features()
    models = clustering.fit_cluster_models(features, CONFIG, methods=("kmeans",))
    with pytest.raises(ClusteringInputError, match="no parameters of method 'gmm'"):
        clustering.gmm_segment_probabilities(features, CONFIG, models=models)


def test_the_sweep_cuts_the_persisted_ward_tree():
    # given the build's ward fit: its sample and merge tree
    features = _features(per_group=30)
    config = ClusteringConfig(k_max=5, agglomerative_max_fit_customers=50)
    sample = clustering.select_fit_sample(features, config)
    tree = clustering.ward_merge_tree(features, sample)
    # when the sweep is given them, or fits ward itself
    given = clustering.evaluate_cluster_counts(features, config, fit_sample=sample, merge_tree=tree)
    own = clustering.evaluate_cluster_counts(features, config)
    # then both tables are the same, and a tree of another sample is refused
    pd.testing.assert_frame_equal(given, own)
    with pytest.raises(ClusteringInputError, match="merges for"):
        clustering.evaluate_cluster_counts(
            features, config, fit_sample=sample, merge_tree=tree.iloc[:-1]
        )


def test_the_history_reads_the_persisted_models_and_fits_nothing(monkeypatch):
    # given customers, their scaler, ward assignment and persisted models
    customers = scaled_customers(per_group=10).drop(columns=["true_group", *SCALED_FEATURES])
    scaling = clustering.fit_feature_scaling(customers, CONFIG)
    features = clustering.apply_feature_scaling(customers, scaling)
    sample = clustering.select_fit_sample(features, CONFIG)
    ward = clustering.cut_and_assign(
        features, sample, clustering.ward_merge_tree(features, sample), CONFIG
    )
    models = clustering.fit_cluster_models(features, CONFIG)
    expected = clustering.history_segments(
        customers.assign(as_of_date="2011-12-10"), features, scaling, ward, CONFIG
    )

    # when the history is segmented with the persisted models, fitting being forbidden
    def no_fit(*args, **kwargs):
        raise AssertionError("fitted again")

    monkeypatch.setattr("segmentation.clustering.history.fit_cluster_models", no_fit)
    history = clustering.history_segments(
        customers.assign(as_of_date="2011-12-10"), features, scaling, ward, CONFIG, models=models
    )
    # then it gives the segments of a fresh fit, which are the current segments
    pd.testing.assert_frame_equal(history, expected)
    kmeans = clustering.kmeans_segments(features, CONFIG, models=models).set_index("customer_id")
    ranks = history.set_index("customer_id")["kmeans_segment_rank"]
    assert (ranks == kmeans.loc[ranks.index, "segment_rank"]).all()


def test_the_sweep_fits_are_bounded_by_their_samples(monkeypatch):
    # given 120 customers, a sweep sample of 80 and a silhouette sample of 30
    features = _features(per_group=30)
    config = ClusteringConfig(
        k_max=4,
        model_selection_max_customers=80,
        silhouette_sample_size=30,
        agglomerative_max_fit_customers=50,
    )
    fitted: dict[str, list[tuple[int, int]]] = {"kmeans": [], "gmm": []}
    real_kmeans, real_gmm = selection.fit_kmeans, selection.fit_gmm

    def kmeans(matrix, k, config, *, n_init=None):
        fitted["kmeans"].append((len(matrix), n_init))
        return real_kmeans(matrix, k, config, n_init=n_init)

    def gmm(matrix, k, config, *, n_init):
        fitted["gmm"].append((len(matrix), n_init))
        return real_gmm(matrix, k, config, n_init=n_init)

    monkeypatch.setattr(selection, "fit_kmeans", kmeans)
    monkeypatch.setattr(selection, "fit_gmm", gmm)
    # when the sweep runs
    clustering.evaluate_cluster_counts(features, config)
    # then k-means is fitted on the sweep sample with the sweep's initialisations, and the
    # mixture on the silhouette sample, once per k
    assert fitted["kmeans"] == [(80, config.selection_kmeans_n_init)] * 3
    assert fitted["gmm"] == [(30, config.selection_gmm_n_init)] * 3
