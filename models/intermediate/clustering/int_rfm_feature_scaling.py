"""Fitted MinMax scaler (after optional log1p), one row per RFM feature."""

from segmentation.clustering import SCALING_INPUT_COLUMNS, ClusteringConfig, fit_feature_scaling
from segmentation.frames import to_pandas


def model(dbt, session):
    customers = to_pandas(dbt.ref("int_customers_rfm_scored"), columns=SCALING_INPUT_COLUMNS)
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return fit_feature_scaling(customers, config)
