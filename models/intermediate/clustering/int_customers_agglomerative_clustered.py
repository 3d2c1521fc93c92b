"""Ward segment of every customer: the tree's cut for the sample, nearest centre for the rest."""

from segmentation.clustering import cut_and_assign
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    fit_sample = to_pandas(dbt.ref("int_agglomerative_fit_sample"))
    merge_tree = to_pandas(dbt.ref("int_agglomerative_merge_tree"))
    selection = to_pandas(dbt.ref("int_cluster_model_selection"))
    return cut_and_assign(features, fit_sample, merge_tree, model_selection=selection)
