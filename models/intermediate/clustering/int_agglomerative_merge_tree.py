"""Ward merge tree of the fit sample, one row per merge (scipy linkage semantics)."""

from segmentation.clustering import ward_merge_tree
from segmentation.frames import to_pandas


def model(dbt, session):
    features = to_pandas(dbt.ref("int_customers_rfm_scaled"))
    fit_sample = to_pandas(dbt.ref("int_agglomerative_fit_sample"))
    return ward_merge_tree(features, fit_sample)
