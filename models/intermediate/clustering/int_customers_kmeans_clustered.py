"""k-means segment of every customer (segment_rank = value rank, 1 = best)."""

from segmentation.clustering import kmeans_segments


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    selection = dbt.ref("int_cluster_model_selection").df()
    return kmeans_segments(features, model_selection=selection, **dbt.config.meta_get("params"))
