"""Gaussian-mixture membership probability of every customer in every segment."""

from segmentation.clustering import gmm_segment_probabilities


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    selection = dbt.ref("int_cluster_model_selection").df()
    return gmm_segment_probabilities(
        features, model_selection=selection, **dbt.config.meta_get("params")
    )
