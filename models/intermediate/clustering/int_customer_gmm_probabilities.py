"""Gaussian-mixture membership probability of every customer in every segment."""

from segmentation.clustering import ClusteringConfig, gmm_segment_probabilities


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    selection = dbt.ref("int_cluster_model_selection").df()
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return gmm_segment_probabilities(features, config, model_selection=selection)
