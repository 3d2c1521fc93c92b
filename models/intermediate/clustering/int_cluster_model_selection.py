"""Metrics for k = k_min..k_max per clustering method, the recommended and the used k."""

from segmentation.clustering import ClusteringConfig, evaluate_cluster_counts


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return evaluate_cluster_counts(features, config)
