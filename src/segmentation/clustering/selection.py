"""How many segments: the model-selection sweep over k = k_min..k_max and the choice of k.

The rule for k, and why, is the docs block ``k_selection`` in
models/intermediate/clustering/_clustering__docs.md (shown on the docs site beside
rpt_cluster_model_selection); ``recommend_k`` implements it and ``resolve_n_segments`` applies
the var ``n_segments``.

The sweep fits every method at every k on bounded deterministic samples, so it costs the same
at a thousand and at a million customers (settings in ``config.ClusteringConfig``):

1. the sweep sample: at most ``model_selection_max_customers`` customers;
2. k lowered to what the distinct customer profiles allow (``lower_k_to_fit``);
3. ward: the build's merge tree (``methods.ward_merge_tree`` on its fit sample of at most
   ``agglomerative_max_fit_customers``, fitted once and passed in), cut at every k; sweep
   customers outside its fit sample go to the nearest centre, as in
   ``methods.cut_and_assign``;
4. per k, k-means (``selection_kmeans_n_init`` initialisations), the mixture
   (``selection_gmm_n_init``, fitted on the silhouette sample: only its BIC and AIC are
   reported) and the ward cut, with Calinski-Harabasz, Davies-Bouldin (sweep sample),
   inertia, BIC and AIC;
5. silhouettes on at most ``silhouette_sample_size`` customers of the sweep sample, every
   labeling from one shared distance matrix;
6. the recommended and the used k, the same for every method.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    pairwise_distances_argmin,
)

from ._frames import METHODS, ClusteringInputError, check_cluster_count, single_threaded
from .config import AUTO, DEFAULT_CONFIG, ClusteringConfig
from .methods import (
    _prepared,
    _sample_matrix,
    fit_gmm,
    fit_kmeans,
    linkage_matrix,
    select_fit_sample,
    subsample,
    used_k,
    ward_merge_tree,
)

__all__ = [
    "SELECTION_COLUMNS",
    "ClusterCountWarning",
    "evaluate_cluster_counts",
    "feasible_cluster_counts",
    "recommend_k",
    "resolve_n_segments",
    "silhouette_from_distances",
    "silhouettes_from_distances",
    "used_k",
]

#: Columns of the model-selection table, in order.
SELECTION_COLUMNS = [
    "method",
    "selection_note",
    "k",
    "inertia",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "bic",
    "aic",
    "is_recommended",
    "is_used",
]


class ClusterCountWarning(UserWarning):
    """k was lowered because the customers do not have enough distinct RFM profiles."""


@single_threaded
def evaluate_cluster_counts(
    features: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    fit_sample: pd.DataFrame | None = None,
    merge_tree: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Model-selection table: one row per method and k with every metric.

    Columns: method, selection_note (why k was lowered, else null), k, inertia (k-means
    only), silhouette, calinski_harabasz, davies_bouldin, bic, aic (mixture only),
    is_recommended, is_used. Metrics are on the scaled features (Euclidean).

    ``fit_sample`` and ``merge_tree``: the persisted ward fit (``select_fit_sample``,
    ``ward_merge_tree``), cut here at every k; without them ward is fitted here the same way.

    With ``config.lower_k_to_fit``, too few distinct profiles for k_max (or n_segments)
    lower them (``feasible_cluster_counts``) with a ClusterCountWarning, the note in
    selection_note and ``table.attrs["warning"]``; a file with one customer, or with
    everyone's RFM alike, raises ClusteringInputError with the reason.
    """
    frame, matrix = _prepared(features, "features")
    rng = np.random.default_rng(config.random_state)
    sweep_rows = subsample(len(matrix), config.model_selection_max_customers, rng)
    sweep = matrix[sweep_rows]
    config, note = _cluster_counts_for(sweep, config)
    if fit_sample is None or merge_tree is None:
        fit_sample = select_fit_sample(frame, config)
        merge_tree = ward_merge_tree(frame, fit_sample)
    ward = _WardSweep.of(frame, sweep_rows, sweep, fit_sample, merge_tree)
    silhouette_rows = subsample(len(sweep), config.silhouette_sample_size, rng)
    rows, labelings = _metrics_per_method_and_k(sweep, config, ward, silhouette_rows)
    table = pd.DataFrame(rows)
    table["silhouette"] = _silhouettes(sweep[silhouette_rows], labelings, len(table))
    return _with_chosen_k(table, config, note)


def _cluster_counts_for(
    sweep: np.ndarray, config: ClusteringConfig
) -> tuple[ClusteringConfig, str | None]:
    """The configuration with k lowered to what the sweep's distinct profiles allow (if
    allowed), and the note saying so; raise if k_max still cannot be formed."""
    note = None
    if config.lower_k_to_fit:
        config, note = feasible_cluster_counts(len(np.unique(sweep, axis=0)), config)
        if note:
            warnings.warn(note, ClusterCountWarning, stacklevel=3)
    # silhouette needs k <= n - 1 distinct points; the largest k must be formable
    check_cluster_count(config.k_max, sweep, frame_name="features (sweep sample)", name="k_max")
    if len(np.unique(sweep, axis=0)) <= config.k_max:
        raise ClusteringInputError(
            f"features: silhouette needs more than k_max={config.k_max} distinct customers"
        )
    return config, note


def feasible_cluster_counts(
    distinct_customers: int, config: ClusteringConfig
) -> tuple[ClusteringConfig, str | None]:
    """``config`` with k_min, k_max and n_segments lowered to what ``distinct_customers``
    profiles allow, and a note saying what was lowered (None when nothing was).

    Silhouette needs k <= distinct - 1, so the sweep ends at ``distinct - 1``; a requested
    n_segments above that becomes the new k_max. Fewer than 3 distinct profiles cannot be
    segmented at all (k = 2 is the least that silhouette can judge): ClusteringInputError.
    """
    if distinct_customers < 3:
        raise ClusteringInputError(
            f"features: {distinct_customers} distinct customer profile(s) (recency, frequency, "
            "monetary) cannot be segmented; need at least 3 distinct customers"
        )
    high = min(config.k_max, distinct_customers - 1)
    low = min(config.k_min, high)
    asked = config.n_segments
    segments = asked if asked == AUTO else min(asked, high)
    if (low, high, segments) == (config.k_min, config.k_max, asked):
        return config, None
    note = (
        f"only {distinct_customers} distinct customer profiles: k lowered to "
        f"k_min={low}, k_max={high}, n_segments={segments} "
        f"(asked for k_min={config.k_min}, k_max={config.k_max}, n_segments={asked})"
    )
    return replace(config, k_min=low, k_max=high, n_segments=segments), note


@dataclass(frozen=True)
class _WardSweep:
    """The persisted ward tree, cut at any k and read on the sweep sample."""

    #: The sweep sample's scaled features.
    sweep: np.ndarray
    #: The fit sample's scaled features, row i = leaf i of the tree.
    leaves: np.ndarray
    #: For each sweep row, its leaf in the tree, or -1 when outside the fit sample.
    leaf_of_row: np.ndarray
    tree: np.ndarray

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        sweep_rows: np.ndarray,
        sweep: np.ndarray,
        fit_sample: pd.DataFrame,
        merge_tree: pd.DataFrame,
    ) -> _WardSweep:
        """From the customers sorted by id, the sweep's positions among them and its
        features, and the persisted fit sample and merge tree."""
        leaves = _sample_matrix(frame, fit_sample)
        tree = linkage_matrix(merge_tree)
        if len(tree) != len(leaves) - 1:
            raise ClusteringInputError(
                f"merge_tree: {len(tree)} merges for {len(leaves)} leaves; expected "
                f"{len(leaves) - 1} (is it the tree of this fit_sample?)"
            )
        position = pd.Series(np.arange(len(frame)), index=frame["customer_id"])
        in_leaf_order = fit_sample.sort_values("leaf_node_id", kind="mergesort")
        leaf_of_position = np.full(len(frame), -1, dtype="int64")
        leaf_of_position[position.loc[in_leaf_order["customer_id"]].to_numpy()] = np.arange(
            len(leaves)
        )
        return cls(sweep, leaves, leaf_of_position[sweep_rows], tree)

    def labels(self, k: int) -> np.ndarray:
        """The tree's cut for the fitted rows, the nearest cut centre for the others."""
        cut = fcluster(self.tree, t=k, criterion="maxclust") - 1
        in_tree = self.leaf_of_row >= 0
        if in_tree.all():
            return cut[self.leaf_of_row]
        centres = np.vstack([self.leaves[cut == label].mean(axis=0) for label in np.unique(cut)])
        labels = pairwise_distances_argmin(self.sweep, centres)
        labels[in_tree] = cut[self.leaf_of_row[in_tree]]
        return labels


def _fit_every_method(
    sweep: np.ndarray,
    k: int,
    ward: _WardSweep,
    config: ClusteringConfig,
    silhouette_rows: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, float]]]:
    """Labels of every method at k for the whole sweep sample, and the metrics only one
    method has. The mixture is fitted (and its BIC and AIC taken) on the silhouette sample:
    EM costs most of the sweep, and BIC and AIC only compare k on one sample."""
    kmeans = fit_kmeans(sweep, k, config, n_init=config.selection_kmeans_n_init)
    mixture_sample = sweep if len(silhouette_rows) == len(sweep) else sweep[silhouette_rows]
    gmm = fit_gmm(mixture_sample, k, config, n_init=config.selection_gmm_n_init)
    labels = {"kmeans": kmeans.labels_, "agglomerative": ward.labels(k), "gmm": gmm.predict(sweep)}
    own_metrics = {
        "kmeans": {"inertia": float(kmeans.inertia_)},
        "gmm": {"bic": float(gmm.bic(mixture_sample)), "aic": float(gmm.aic(mixture_sample))},
    }
    return labels, own_metrics


def _metrics_per_method_and_k(
    sweep: np.ndarray,
    config: ClusteringConfig,
    ward: _WardSweep,
    silhouette_rows: np.ndarray,
) -> tuple[list[dict], list[tuple[int, np.ndarray]]]:
    """One row of metrics per method and k (silhouette aside), and the labelings of the
    silhouette sample to score, each with the position of its row."""
    rows: list[dict] = []
    labelings: list[tuple[int, np.ndarray]] = []
    for k in range(config.k_min, config.k_max + 1):
        labels_by_method, own_metrics = _fit_every_method(sweep, k, ward, config, silhouette_rows)
        for method in METHODS:
            labels = labels_by_method[method]
            sample_labels = labels[silhouette_rows]
            separable = len(np.unique(labels)) > 1 and len(np.unique(sample_labels)) > 1
            if separable:
                labelings.append((len(rows), sample_labels))
            rows.append(
                {
                    "method": method,
                    "k": k,
                    "inertia": np.nan,
                    "calinski_harabasz": float(calinski_harabasz_score(sweep, labels))
                    if separable
                    else np.nan,
                    "davies_bouldin": float(davies_bouldin_score(sweep, labels))
                    if separable
                    else np.nan,
                    "bic": np.nan,
                    "aic": np.nan,
                    **own_metrics.get(method, {}),
                }
            )
    return rows, labelings


def _silhouettes(
    sample: np.ndarray, labelings: list[tuple[int, np.ndarray]], n_rows: int
) -> np.ndarray:
    """The silhouette column: each labeling's score at its row, NaN where not separable."""
    column = np.full(n_rows, np.nan)
    if labelings:
        positions, labels = zip(*labelings, strict=True)
        distances = np.asarray(pairwise_distances(sample), dtype="float64")
        column[list(positions)] = silhouettes_from_distances(distances, list(labels))
    return column


def _with_chosen_k(table: pd.DataFrame, config: ClusteringConfig, note: str | None) -> pd.DataFrame:
    """Mark the recommended and the used k, record the note, order the columns."""
    recommended = recommend_k(table)
    used = resolve_n_segments(config.n_segments, recommended)
    table["is_recommended"] = table["k"] == recommended
    table["is_used"] = table["k"] == used
    table["k"] = table["k"].astype("int32")
    # the warning is recorded with the table, where the warehouse keeps it
    table["selection_note"] = pd.Series([note] * len(table), dtype="string")
    table = table[SELECTION_COLUMNS]
    if note:
        table.attrs["warning"] = note
    return table


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a precomputed distance matrix (see ``silhouettes_from_distances``)."""
    return silhouettes_from_distances(distances, [labels])[0]


def silhouettes_from_distances(distances: np.ndarray, labelings: list[np.ndarray]) -> list[float]:
    """Mean silhouette of each labeling, all from one pass over a distance matrix.

    Same definition as ``sklearn.metrics.silhouette_score`` (a customer alone in its
    cluster scores 0). The per-cluster distance sums of every labeling come from a single
    matrix product: the n x n distances times the one-hot matrices of all labelings side by
    side (n x sum of k), so the matrix is read once for the whole sweep (docs/decisions.md).
    """
    if not labelings:
        return []
    blocks, layouts = [], []
    offset = 0
    for labels in labelings:
        _, codes = np.unique(labels, return_inverse=True)
        k = int(codes.max()) + 1
        one_hot = np.zeros((len(codes), k))
        one_hot[np.arange(len(codes)), codes] = 1.0
        blocks.append(one_hot)
        layouts.append((codes, offset, k))
        offset += k
    all_sums = distances @ np.hstack(blocks)  # [i, c] = total distance from i to cluster c
    rows = np.arange(distances.shape[0])
    scores_by_labeling = []
    for (codes, start, k), one_hot in zip(layouts, blocks, strict=True):
        sums = all_sums[:, start : start + k]
        sizes = one_hot.sum(axis=0)
        own_size = sizes[codes]
        with np.errstate(divide="ignore", invalid="ignore"):
            intra = sums[rows, codes] / (own_size - 1)
            mean_to = sums / sizes
        mean_to[rows, codes] = np.inf
        nearest = mean_to.min(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = (nearest - intra) / np.maximum(intra, nearest)
        scores = np.where(own_size > 1, np.nan_to_num(scores), 0.0)
        scores_by_labeling.append(float(scores.mean()))
    return scores_by_labeling


def recommend_k(selection: pd.DataFrame) -> int:
    """Apply the documented elbow rule to a table with columns method, k, inertia."""
    curve = (
        selection.loc[selection["method"] == "kmeans", ["k", "inertia"]].dropna().sort_values("k")
    )
    if curve.empty:
        raise ClusteringInputError("model selection: no k-means inertia to find an elbow in")
    k = curve["k"].to_numpy(dtype="float64")
    inertia = curve["inertia"].to_numpy(dtype="float64")
    if len(k) < 3 or inertia[0] == inertia[-1]:
        return int(k[0])
    x = (k - k[0]) / (k[-1] - k[0])
    y = (inertia - inertia[-1]) / (inertia[0] - inertia[-1])
    gap = (1.0 - x) - y  # distance below the chord from (0, 1) to (1, 0)
    return int(k[int(np.argmax(gap))])


def resolve_n_segments(n_segments: int | Literal["auto"], recommended: int) -> int:
    """The k in use: the recommendation for 'auto', else n_segments."""
    return recommended if n_segments == AUTO else n_segments
