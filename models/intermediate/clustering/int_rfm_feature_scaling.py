"""Fitted MinMax scaler (after optional log1p), one row per RFM feature."""

from segmentation.clustering import fit_feature_scaling


def model(dbt, session):
    customers = dbt.ref("dim_customers").df()
    return fit_feature_scaling(customers, **dbt.config.meta_get("params"))
