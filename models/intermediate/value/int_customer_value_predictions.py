"""Every customer's P(alive), expected purchases, order value and CLV from the fitted models."""

from segmentation.frames import to_pandas
from segmentation.value import ValueModelConfig, predict_customer_values


def model(dbt, session):
    summary = to_pandas(dbt.ref("int_customers_purchase_summary"))
    parameters = to_pandas(dbt.ref("int_value_model_parameters"))
    config = ValueModelConfig.from_vars(dbt.config.meta_get("value_models"))
    return predict_customer_values(summary, parameters, config)
