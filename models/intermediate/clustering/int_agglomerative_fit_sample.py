"""Customers the ward tree is fitted on (a bounded deterministic sample), with leaf ids."""

from segmentation.clustering import ClusteringConfig, select_fit_sample


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return select_fit_sample(features, config)
