"""RFM features scaled to [0, 1] with the persisted scaler, one row per customer."""

from segmentation.clustering import SCALING_INPUT_COLUMNS, apply_feature_scaling
from segmentation.frames import to_pandas


def model(dbt, session):
    customers = to_pandas(dbt.ref("int_customers_rfm_scored"), columns=SCALING_INPUT_COLUMNS)
    scaling = to_pandas(dbt.ref("int_rfm_feature_scaling"))
    return apply_feature_scaling(customers, scaling)
