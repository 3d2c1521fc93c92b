"""BG/NBD and Gamma-Gamma fitted on a bounded deterministic sample: one row per parameter."""

from segmentation.frames import to_pandas
from segmentation.value import ValueModelConfig, fit_value_models


def model(dbt, session):
    summary = to_pandas(dbt.ref("int_customers_purchase_summary"))
    config = ValueModelConfig.from_vars(dbt.config.meta_get("value_models"))
    return fit_value_models(summary, config)
