"""k-means segment of every customer (segment_rank by the cluster naming rule, 1 = Champions)."""

from segmentation.clustering import ClusteringConfig, kmeans_segments


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    selection = dbt.ref("int_cluster_model_selection").df()
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return kmeans_segments(features, config, model_selection=selection)
