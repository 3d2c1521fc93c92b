"""The clusterings refitted at an earlier date, for the backtest of the segments.

The backtest asks whether the segments a customer was in at a cutoff date say anything about
what they bought after it. So the scaler and every method are fitted again on the customers'
RFM at the cutoff (nothing after it leaks in), with the build's settings and the number of
segments the build uses (no k sweep of its own: the segments compared are those the
marketers get).
"""

from __future__ import annotations

import pandas as pd

from ._frames import METHODS
from .config import DEFAULT_CONFIG, ClusteringConfig
from .methods import (
    cut_and_assign,
    fit_cluster_models,
    gmm_segments,
    kmeans_segments,
    select_fit_sample,
    ward_merge_tree,
)
from .scaling import apply_feature_scaling, fit_feature_scaling

#: Columns of ``segments_refitted``.
REFITTED_COLUMNS = ["customer_id", "method", "segment_rank", "segment"]


def segments_refitted(
    customers: pd.DataFrame,
    model_selection: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """Every method fitted on ``customers`` at the k marked is_used in ``model_selection``.

    ``customers``: one row per customer with recency_days, frequency and monetary (RFM at
    the cutoff); ``model_selection``: the build's model-selection table. Scaling, k-means,
    ward (fit sample, tree, cut and nearest centre) and the mixture run as in the build, each
    fitted once (k-means and the mixture on the bounded fit sample, ``fit_cluster_models``).
    Returns one row per customer and method (``METHODS``): customer_id, method,
    segment_rank (1 = Champions), segment.
    """
    features = apply_feature_scaling(customers, fit_feature_scaling(customers, config))
    sample = select_fit_sample(features, config)
    tree = ward_merge_tree(features, sample)
    models = fit_cluster_models(features, config, model_selection=model_selection)
    by_method = {
        "kmeans": kmeans_segments(features, config, models=models),
        "agglomerative": cut_and_assign(
            features, sample, tree, config, model_selection=model_selection
        ),
        "gmm": gmm_segments(features, config, models=models),
    }
    return pd.concat(
        [by_method[method].assign(method=method)[REFITTED_COLUMNS] for method in METHODS],
        ignore_index=True,
    )
