"""Ward merge tree of the fit sample, one row per merge (scipy linkage semantics)."""

from segmentation.clustering import ward_merge_tree


def model(dbt, session):
    features = dbt.ref("int_customers_rfm_scaled").df()
    fit_sample = dbt.ref("int_agglomerative_fit_sample").df()
    return ward_merge_tree(features, fit_sample)
