"""Customers the ward tree is fitted on (a bounded deterministic sample), with leaf ids."""

from segmentation.clustering import ClusteringConfig, select_fit_sample
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return select_fit_sample(features, config)
