"""k-means segment of every customer: the nearest centre of the persisted k-means model."""

from segmentation.clustering import ClusteringConfig, kmeans_segments
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    models = to_pandas(dbt.ref("int_cluster_model_parameters"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return kmeans_segments(features, config, models=models)
