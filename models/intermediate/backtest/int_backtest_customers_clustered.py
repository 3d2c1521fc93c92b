"""Every clustering refitted on the customers' RFM at the backtest's cutoff, at the build's k."""

from segmentation.clustering import SCALING_INPUT_COLUMNS, ClusteringConfig
from segmentation.clustering.backtest import segments_refitted
from segmentation.frames import to_pandas


def model(dbt, session):
    customers = to_pandas(dbt.ref("int_backtest_customers_rfm"), columns=SCALING_INPUT_COLUMNS)
    selection = to_pandas(dbt.ref("int_cluster_model_selection"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return segments_refitted(customers, selection, config)
