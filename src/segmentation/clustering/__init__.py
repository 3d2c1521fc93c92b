"""Clustering of customers on scaled RFM features: scaling, k selection, three methods, names.

Every public function is pure (DataFrame in, DataFrame out, settings as one typed
``ClusteringConfig``) and knows nothing of dbt; the dbt Python models in
models/intermediate/clustering each build the config from the rendered vars and call exactly
one of them.

Pipeline: ``fit_feature_scaling`` -> ``apply_feature_scaling`` -> ``evaluate_cluster_counts``
(which k, cutting the persisted ward tree) -> ``fit_cluster_models`` (k-means and the mixture
fitted once, persisted) -> ``kmeans_segments`` / ``gmm_segment_probabilities`` (assign
everyone) / ward in three steps (``select_fit_sample`` -> ``ward_merge_tree`` ->
``cut_and_assign``) -> ``method_agreement``; ``history_segments`` applies the persisted
scaler and models to the RFM of past as-of dates.
"""

from ._frames import FEATURES, METHODS, SCALED_FEATURES, ClusteringInputError
from .agreement import method_agreement
from .config import AUTO, COVARIANCE_TYPES, DEFAULT_CONFIG, ClusteringConfig
from .history import HISTORY_INPUT_COLUMNS, HISTORY_SEGMENT_COLUMNS, history_segments
from .methods import (
    MODEL_PARAMETER_COLUMNS,
    agglomerative_segments,
    cut_and_assign,
    fit_cluster_models,
    gmm_segment_probabilities,
    gmm_segments,
    kmeans_segments,
    linkage_matrix,
    select_fit_sample,
    ward_merge_tree,
)
from .naming import segment_names, value_score
from .scaling import (
    SCALING_INPUT_COLUMNS,
    apply_feature_scaling,
    fit_feature_scaling,
    scale_features,
)
from .selection import (
    SELECTION_COLUMNS,
    ClusterCountWarning,
    evaluate_cluster_counts,
    feasible_cluster_counts,
    recommend_k,
    resolve_n_segments,
    used_k,
)

__all__ = [
    "AUTO",
    "COVARIANCE_TYPES",
    "DEFAULT_CONFIG",
    "FEATURES",
    "HISTORY_INPUT_COLUMNS",
    "HISTORY_SEGMENT_COLUMNS",
    "METHODS",
    "MODEL_PARAMETER_COLUMNS",
    "SCALED_FEATURES",
    "SCALING_INPUT_COLUMNS",
    "SELECTION_COLUMNS",
    "ClusterCountWarning",
    "ClusteringConfig",
    "ClusteringInputError",
    "agglomerative_segments",
    "apply_feature_scaling",
    "cut_and_assign",
    "evaluate_cluster_counts",
    "feasible_cluster_counts",
    "fit_cluster_models",
    "fit_feature_scaling",
    "gmm_segment_probabilities",
    "gmm_segments",
    "history_segments",
    "kmeans_segments",
    "linkage_matrix",
    "method_agreement",
    "recommend_k",
    "resolve_n_segments",
    "scale_features",
    "segment_names",
    "select_fit_sample",
    "used_k",
    "value_score",
    "ward_merge_tree",
]
