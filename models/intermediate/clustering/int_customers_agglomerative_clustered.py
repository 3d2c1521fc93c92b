"""Ward segment of every customer: the tree's cut for the sample, nearest centre for the rest."""

from segmentation.clustering import cut_and_assign


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    fit_sample = dbt.ref("int_agglomerative_fit_sample").df()
    merge_tree = dbt.ref("int_agglomerative_merge_tree").df()
    selection = dbt.ref("int_cluster_model_selection").df()
    return cut_and_assign(features, fit_sample, merge_tree, model_selection=selection)
