"""Adjusted Rand index and adjusted mutual information for each pair of methods."""

from segmentation.clustering import method_agreement
from segmentation.frames import to_pandas


def model(dbt, session):
    segments = to_pandas(dbt.ref("int_customers_segmented"))
    return method_agreement(segments)
