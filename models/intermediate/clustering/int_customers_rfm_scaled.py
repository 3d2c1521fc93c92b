"""RFM features scaled to [0, 1] with the persisted scaler, one row per customer."""

from segmentation.clustering import apply_feature_scaling


def model(dbt, session):
    customers = dbt.ref("int_customers_rfm_scored").df()
    scaling = dbt.ref("int_rfm_feature_scaling").df()
    return apply_feature_scaling(customers, scaling)
