"""Metrics for k = k_min..k_max per clustering method, the recommended and the used k."""

from segmentation.clustering import ClusteringConfig, evaluate_cluster_counts
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    fit_sample = to_pandas(dbt.ref("int_agglomerative_fit_sample"))
    merge_tree = to_pandas(dbt.ref("int_agglomerative_merge_tree"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return evaluate_cluster_counts(features, config, fit_sample=fit_sample, merge_tree=merge_tree)
