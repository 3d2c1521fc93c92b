"""k-means segment of every customer (segment_rank by the cluster naming rule, 1 = Champions)."""

from segmentation.clustering import ClusteringConfig, kmeans_segments
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    selection = to_pandas(dbt.ref("int_cluster_model_selection"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return kmeans_segments(features, config, model_selection=selection)
