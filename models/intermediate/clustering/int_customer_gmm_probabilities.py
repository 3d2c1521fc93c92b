"""Membership probability of every customer in every segment of the persisted mixture."""

from segmentation.clustering import ClusteringConfig, gmm_segment_probabilities
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    models = to_pandas(dbt.ref("int_cluster_model_parameters"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return gmm_segment_probabilities(features, config, models=models)
