"""Customers the ward tree is fitted on (a bounded deterministic sample), with leaf ids."""

from segmentation.clustering import select_fit_sample


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    return select_fit_sample(features, **dbt.config.meta_get("params"))
