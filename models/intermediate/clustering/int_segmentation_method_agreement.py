"""Adjusted Rand index and adjusted mutual information for each pair of methods."""

from segmentation.clustering import method_agreement


def model(dbt, session):
    segments = dbt.ref("int_customers_segmented").df()
    return method_agreement(segments)
