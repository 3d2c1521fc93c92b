"""Clustering segments at every as-of date of the RFM history, by the persisted models."""

from segmentation.clustering import HISTORY_INPUT_COLUMNS, ClusteringConfig, history_segments
from segmentation.frames import to_pandas


def model(dbt, session):
    history = to_pandas(dbt.ref("int_customers_rfm_scored_history"), columns=HISTORY_INPUT_COLUMNS)
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    scaling = to_pandas(dbt.ref("int_rfm_feature_scaling"))
    agglomerative = to_pandas(dbt.ref("int_customers_agglomerative_clustered"))
    models = to_pandas(dbt.ref("int_cluster_model_parameters"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return history_segments(history, features, scaling, agglomerative, config, models=models)
