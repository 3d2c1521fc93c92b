"""k-means and the mixture fitted once on a bounded deterministic sample: their parameters."""

from segmentation.clustering import ClusteringConfig, fit_cluster_models
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    selection = to_pandas(dbt.ref("int_cluster_model_selection"))
    config = ClusteringConfig.from_vars(dbt.config.meta_get("clustering"))
    return fit_cluster_models(features, config, model_selection=selection)
