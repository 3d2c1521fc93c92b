"""The three clusterings: k-means, Gaussian mixture and ward agglomerative.

All take a frame of scaled features (customer_id, recency_scaled, frequency_scaled,
monetary_scaled; the output of ``scaling.apply_feature_scaling``) and return frames whose
segment_rank is the rank of the segment (1 = Champions, see ``naming``), never a library label.
Inputs are sorted by customer_id before anything else and every random choice takes
``random_state`` (settings: ``config.ClusteringConfig``), so two runs on the same data give
the same result whatever row order the warehouse returns.

Scale: k-means and the mixture are fitted once (``fit_cluster_models``) on a deterministic
sample of at most ``clustering_max_fit_customers`` customers and persisted as a parameter
table; every customer (and every past row of the segment history) is assigned by the
persisted model, so nothing is fitted twice. Ward is O(n^2) in time and memory, so it is
fitted on a deterministic sample of at most ``agglomerative_max_fit_customers`` customers and
every other customer goes to the nearest centre of the fitted clusters. The ward fit is split
in three steps so that a dbt project can persist each step as a table (sample -> merge tree
-> cut and assign) and a dendrogram can be drawn from tables alone; ``agglomerative_segments``
chains them for callers that want one call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin
from sklearn.mixture import GaussianMixture

from ._frames import (
    SCALED_FEATURES,
    ClusteringInputError,
    check_cluster_count,
    numeric_matrix,
    require_columns,
    single_threaded,
    sorted_by_customer,
)
from .config import AUTO, DEFAULT_CONFIG, ClusteringConfig
from .naming import named_assignment, names_of_ranks, rank_labels


def _prepared(features: pd.DataFrame, frame_name: str) -> tuple[pd.DataFrame, np.ndarray]:
    frame = sorted_by_customer(features, frame_name=frame_name)
    return frame, numeric_matrix(frame, SCALED_FEATURES, frame_name=frame_name)


def _monetary(frame: pd.DataFrame) -> np.ndarray | None:
    """Raw monetary for naming the Low-Value segment, when the frame carries it."""
    if "monetary" not in frame.columns:
        return None
    return numeric_matrix(frame, ["monetary"], frame_name="features")[:, 0]


def used_k(selection: pd.DataFrame) -> int:
    """The k marked is_used in a model-selection table (what the clusterings must use)."""
    used = selection.loc[selection["is_used"].astype(bool), "k"].unique()
    if len(used) != 1:
        raise ClusteringInputError(
            f"model selection: expected exactly one k with is_used, found {sorted(used)} - "
            "is n_segments inside k_min..k_max?"
        )
    return int(used[0])


def _n_segments(config: ClusteringConfig, model_selection: pd.DataFrame | None) -> int:
    """The number of segments: the model-selection table's used k when one is given."""
    if model_selection is not None:
        return used_k(model_selection)
    if config.n_segments == AUTO:
        raise ClusteringInputError(
            "n_segments='auto' needs the model-selection table (evaluate_cluster_counts) "
            "to choose k; pass it as model_selection"
        )
    return config.n_segments


def fit_kmeans(
    matrix: np.ndarray, k: int, config: ClusteringConfig, *, n_init: int | None = None
) -> KMeans:
    """Fitted scikit-learn KMeans (shared by the segmentation and the k sweep), with
    ``n_init`` initialisations (default ``kmeans_n_init``)."""
    return KMeans(
        n_clusters=k,
        n_init=config.kmeans_n_init if n_init is None else n_init,
        random_state=config.random_state,
    ).fit(matrix)


def fit_gmm(
    matrix: np.ndarray, k: int, config: ClusteringConfig, *, n_init: int
) -> GaussianMixture:
    """Fitted GaussianMixture with ``n_init`` initialisations (EM finds local optima)."""
    return GaussianMixture(
        n_components=k,
        covariance_type=config.gmm_covariance_type,
        n_init=n_init,
        random_state=config.random_state,
    ).fit(matrix)


def nearest_centre_labels(
    matrix: np.ndarray,
    sample_rows: np.ndarray,
    sample_labels: np.ndarray,
) -> np.ndarray:
    """Labels of every row of ``matrix``: the sample rows keep ``sample_labels``, the others
    take the cluster whose sample centre is nearest (Euclidean)."""
    sample = matrix[sample_rows]
    centres = np.vstack(
        [sample[sample_labels == label].mean(axis=0) for label in np.unique(sample_labels)]
    )
    labels = pairwise_distances_argmin(matrix, centres)
    labels[sample_rows] = sample_labels
    return labels


# ------------------------------------------------------------- k-means and the mixture

#: Columns of ``fit_cluster_models``: one row per value of a fitted parameter array.
MODEL_PARAMETER_COLUMNS = ["method", "parameter", "position", "value"]
#: The methods ``fit_cluster_models`` fits (ward is persisted as its merge tree instead).
FITTED_METHODS: tuple[str, ...] = ("kmeans", "gmm")


def fit_sample_rows(n: int, config: ClusteringConfig) -> np.ndarray:
    """Sorted positions (among customers sorted by id) of the k-means and mixture fit sample:
    at most ``clustering_max_fit_customers``, drawn with ``random_state``."""
    return subsample(
        n, config.clustering_max_fit_customers, np.random.default_rng(config.random_state)
    )


def _covariance_shape(covariance_type: str, k: int, d: int) -> tuple[int, ...]:
    """Shape of scikit-learn's covariances_ and precisions_cholesky_ for a covariance type."""
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]


def _kmeans_model(centres: np.ndarray) -> KMeans:
    """A KMeans that predicts with exactly ``centres``: fitted on the centres themselves
    (each its own cluster) for a fitted estimator, then given the persisted centres bit for
    bit (the fit centres the data, which can move the last bit)."""
    model = KMeans(n_clusters=len(centres), init=centres, n_init=1, max_iter=1).fit(centres)
    model.cluster_centers_ = centres
    return model


def _gmm_model(arrays: dict[str, np.ndarray], config: ClusteringConfig) -> GaussianMixture:
    """A GaussianMixture that predicts with the persisted weights, means and precisions."""
    k, d = len(arrays["weights"]), len(SCALED_FEATURES)
    shape = _covariance_shape(config.gmm_covariance_type, k, d)
    model = GaussianMixture(n_components=k, covariance_type=config.gmm_covariance_type)
    model.weights_ = arrays["weights"]
    model.means_ = arrays["means"].reshape(k, d)
    model.covariances_ = arrays["covariances"].reshape(shape)
    model.precisions_cholesky_ = arrays["precisions_cholesky"].reshape(shape)
    model.n_features_in_ = d
    return model


def _method_arrays(models: pd.DataFrame, method: str) -> dict[str, np.ndarray]:
    """The persisted arrays of one method, flat, by parameter name."""
    require_columns(models, MODEL_PARAMETER_COLUMNS, frame_name="models")
    rows = models.loc[models["method"] == method].sort_values(
        ["parameter", "position"], kind="mergesort"
    )
    if rows.empty:
        raise ClusteringInputError(f"models: no parameters of method {method!r}")
    return {
        str(name): group["value"].to_numpy(dtype="float64")
        for name, group in rows.groupby("parameter", sort=True)
    }


def _predicted_labels(
    method: str,
    arrays: dict[str, np.ndarray],
    matrix: np.ndarray,
    config: ClusteringConfig,
    *,
    probabilities: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Library labels of ``matrix`` by a persisted model, and (when asked) the mixture's
    probabilities. The mixture's label is its ``predict``, the most probable component,
    whether or not the probabilities (a log-sum-exp more) are computed."""
    if method == "kmeans":
        centres = arrays["centres"].reshape(-1, len(SCALED_FEATURES))
        return _kmeans_model(centres).predict(matrix), None
    model = _gmm_model(arrays, config)
    return model.predict(matrix), model.predict_proba(matrix) if probabilities else None


def _long(method: str, arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "method": method,
                "parameter": name,
                "position": np.arange(values.size, dtype="int64"),
                "value": np.asarray(values, dtype="float64").reshape(-1),
            }
        )
        for name, values in arrays.items()
    ]
    return pd.concat(frames, ignore_index=True)


@single_threaded
def fit_cluster_models(
    features: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
    methods: tuple[str, ...] = FITTED_METHODS,
) -> pd.DataFrame:
    """Fit k-means and the mixture once, on the fit sample, as a parameter table.

    The fit sample is at most ``clustering_max_fit_customers`` customers (``fit_sample_rows``;
    everyone when there are fewer). Each fitted array is persisted flat (row-major), one row
    per value: columns ``MODEL_PARAMETER_COLUMNS``. k-means: centres (k x 3 scaled features);
    mixture: weights (k), means (k x 3), covariances and precisions_cholesky (scikit-learn's
    shapes for ``gmm_covariance_type``). Each method also gets segment_rank (position = the
    library label): the rank of the label's cluster among all customers, each assigned by
    the fitted model (``naming.rank_labels``). k as in ``kmeans_segments``.
    """
    unknown = set(methods) - set(FITTED_METHODS)
    if unknown:
        raise ClusteringInputError(f"methods: {sorted(unknown)} not among {list(FITTED_METHODS)}")
    frame, matrix = _prepared(features, "features")
    k = check_cluster_count(_n_segments(config, model_selection), matrix, frame_name="features")
    rows = fit_sample_rows(len(matrix), config)
    # everyone: the matrix itself, as its memory layout changes the fit's last bits
    sample = matrix if len(rows) == len(matrix) else matrix[rows]
    check_cluster_count(k, sample, frame_name="features (fit sample)")
    customer_ids, monetary = frame["customer_id"].to_numpy(), _monetary(frame)
    parts = []
    for method in methods:
        if method == "kmeans":
            kmeans = fit_kmeans(sample, k, config)
            arrays = {"centres": kmeans.cluster_centers_}
        else:
            gmm = fit_gmm(sample, k, config, n_init=config.gmm_n_init)
            arrays = {
                "weights": gmm.weights_,
                "means": gmm.means_,
                "covariances": gmm.covariances_,
                "precisions_cholesky": gmm.precisions_cholesky_,
            }
        flat = {
            name: np.asarray(values, dtype="float64").reshape(-1) for name, values in arrays.items()
        }
        # rank from every customer's label by the model as persisted, as its readers assign
        labels, _ = _predicted_labels(method, flat, matrix, config)
        named_assignment(customer_ids, matrix, labels, n_segments=k)  # checks k clusters
        ranks = rank_labels(matrix, labels, customer_ids, monetary)
        flat["segment_rank"] = np.array([ranks[label] for label in range(k)], dtype="float64")
        parts.append(_long(method, flat))
    return pd.concat(parts, ignore_index=True)[MODEL_PARAMETER_COLUMNS]


def _assigned(
    method: str,
    features: pd.DataFrame,
    config: ClusteringConfig,
    model_selection: pd.DataFrame | None,
    models: pd.DataFrame | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None, np.ndarray]:
    """Sorted frame, each customer's segment_rank, the mixture's probabilities (library
    label order) and the label -> rank lookup, by the persisted (or a fresh) model."""
    frame, matrix = _prepared(features, "features")
    if models is None:
        models = fit_cluster_models(
            features, config, model_selection=model_selection, methods=(method,)
        )
    arrays = _method_arrays(models, method)
    labels, probabilities = _predicted_labels(
        method, arrays, matrix, config, probabilities=method == "gmm"
    )
    rank_of_label = arrays["segment_rank"].astype("int64")
    return frame, rank_of_label[labels], probabilities, rank_of_label


@single_threaded
def kmeans_segments(
    features: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
    models: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """k-means segments: customer_id, segment_rank, segment; one row per customer.

    ``models``: the parameter table of ``fit_cluster_models``; every customer takes the
    nearest persisted centre. Without it k-means is fitted here (``fit_cluster_models``).
    ``model_selection``: a table from ``evaluate_cluster_counts``; when given, the number of
    segments is its ``is_used`` k, else ``config.n_segments`` (only when fitting here).
    """
    frame, segment_rank, _, rank_of_label = _assigned(
        "kmeans", features, config, model_selection, models
    )
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "segment_rank": segment_rank.astype("int32"),
            "segment": names_of_ranks(segment_rank, len(rank_of_label)),
        }
    )


@single_threaded
def gmm_segment_probabilities(
    features: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
    models: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Gaussian-mixture soft membership, one row per customer and segment.

    Columns: customer_id, segment_rank, segment, probability, is_assigned. A customer's
    probabilities sum to 1; is_assigned marks the most probable segment (the hard
    assignment, whose members define the segment's centre and so its rank and name).
    ``models`` and ``model_selection``: as in ``kmeans_segments``.
    """
    frame, hard_rank, probabilities, rank_of_label = _assigned(
        "gmm", features, config, model_selection, models
    )
    k = len(rank_of_label)
    # reorder the probability columns from library label to segment rank
    by_rank = np.empty_like(probabilities)
    for label, rank in enumerate(rank_of_label):
        by_rank[:, rank - 1] = probabilities[:, label]
    # renormalise away the last ulp so each row sums to 1 within 1e-12
    by_rank = by_rank / by_rank.sum(axis=1, keepdims=True)
    customer_ids = frame["customer_id"].to_numpy()
    segment_rank = np.tile(np.arange(1, k + 1, dtype="int32"), len(customer_ids))
    return pd.DataFrame(
        {
            "customer_id": np.repeat(customer_ids, k),
            "segment_rank": segment_rank,
            "segment": names_of_ranks(segment_rank, k),
            "probability": by_rank.reshape(-1),
            "is_assigned": segment_rank == np.repeat(hard_rank, k),
        }
    )


def gmm_segments(
    features: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
    models: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hard mixture assignment with its probability and entropy, one row per customer.

    Columns: customer_id, segment_rank, segment, probability (of the assigned segment) and
    entropy (Shannon, natural log, of the customer's membership distribution: 0 when
    certain, ln k when undecided). Arguments as for ``gmm_segment_probabilities``.
    """
    long = gmm_segment_probabilities(
        features, config, model_selection=model_selection, models=models
    )
    p = long["probability"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    entropy = pd.Series(terms).groupby(long["customer_id"].to_numpy(), sort=False).sum()
    assigned = long.loc[long["is_assigned"]].reset_index(drop=True)
    return pd.DataFrame(
        {
            "customer_id": assigned["customer_id"],
            "segment_rank": assigned["segment_rank"],
            "segment": assigned["segment"],
            "probability": assigned["probability"],
            "entropy": entropy.loc[assigned["customer_id"]].to_numpy(),
        }
    )


# ----------------------------------------------------------------------------- ward


def subsample(n: int, bound: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of a without-replacement sample of min(n, bound) of n rows; draws
    nothing from ``rng`` when every row fits."""
    if n <= bound:
        return np.arange(n)
    return np.sort(rng.choice(n, bound, replace=False))


def select_fit_sample(
    features: pd.DataFrame, config: ClusteringConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """Deterministic sample of at most ``agglomerative_max_fit_customers`` for the ward fit.

    Returns leaf_node_id (0..n-1, the row index of the customer in the linkage matrix) and
    customer_id, ordered by leaf_node_id. With no more customers than the bound, every
    customer is in the sample. The sample is drawn without replacement from the customers
    sorted by customer_id, with ``numpy.random.default_rng(random_state)``, and kept in
    customer_id order.
    """
    frame = sorted_by_customer(features, frame_name="features")
    chosen = subsample(
        len(frame),
        config.agglomerative_max_fit_customers,
        np.random.default_rng(config.random_state),
    )
    return pd.DataFrame(
        {
            "leaf_node_id": np.arange(len(chosen), dtype="int64"),
            "customer_id": frame["customer_id"].to_numpy()[chosen],
        }
    )


def _sample_matrix(features: pd.DataFrame, fit_sample: pd.DataFrame) -> np.ndarray:
    require_columns(fit_sample, ["leaf_node_id", "customer_id"], frame_name="fit_sample")
    sample = fit_sample.sort_values("leaf_node_id", kind="mergesort")
    if not np.array_equal(sample["leaf_node_id"].to_numpy(), np.arange(len(sample))):
        raise ClusteringInputError(
            "fit_sample: leaf_node_id must be 0..n-1 without gaps or repeats"
        )
    frame = sorted_by_customer(features, frame_name="features").set_index("customer_id")
    absent = ~sample["customer_id"].isin(frame.index)
    if absent.any():
        raise ClusteringInputError(
            f"fit_sample: {int(absent.sum())} customer_id(s) not in features, e.g. "
            f"{sample.loc[absent, 'customer_id'].iloc[0]!r}"
        )
    rows = frame.loc[sample["customer_id"].to_numpy()].reset_index()
    return numeric_matrix(rows, SCALED_FEATURES, frame_name="features")


@single_threaded
def ward_merge_tree(features: pd.DataFrame, fit_sample: pd.DataFrame) -> pd.DataFrame:
    """Ward merge tree of the fit sample, in scipy linkage semantics.

    One row per merge: merge_step (1..n-1), left_node_id, right_node_id, merge_distance,
    cluster_size. Node ids below n are the sample's leaves (``fit_sample.leaf_node_id``);
    node n + i - 1 is the cluster created by merge_step i. ``scipy.cluster.hierarchy.
    dendrogram`` draws it from these columns alone.
    """
    matrix = _sample_matrix(features, fit_sample)
    if len(matrix) < 2:
        raise ClusteringInputError("fit_sample: need at least 2 customers to build a tree")
    tree = linkage(matrix, method="ward")
    return pd.DataFrame(
        {
            "merge_step": np.arange(1, len(tree) + 1, dtype="int64"),
            "left_node_id": tree[:, 0].astype("int64"),
            "right_node_id": tree[:, 1].astype("int64"),
            "merge_distance": tree[:, 2],
            "cluster_size": tree[:, 3].astype("int64"),
        }
    )


def linkage_matrix(merge_tree: pd.DataFrame) -> np.ndarray:
    """Rebuild the scipy linkage matrix from a persisted merge tree frame."""
    columns = ["left_node_id", "right_node_id", "merge_distance", "cluster_size"]
    require_columns(merge_tree, ["merge_step", *columns], frame_name="merge_tree")
    ordered = merge_tree.sort_values("merge_step", kind="mergesort")
    return ordered[columns].to_numpy(dtype="float64")


@single_threaded
def cut_and_assign(
    features: pd.DataFrame,
    fit_sample: pd.DataFrame,
    merge_tree: pd.DataFrame,
    config: ClusteringConfig = DEFAULT_CONFIG,
    *,
    model_selection: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cut the ward tree into k segments and give every customer a segment.

    Fit-sample customers keep the cluster of the cut; every other customer goes to the
    nearest (Euclidean) cluster centre of the sample. Returns customer_id, segment_rank,
    segment, is_fit_sample; one row per customer of ``features``. k is the
    ``model_selection`` table's used k when given (as in ``kmeans_segments``), else
    ``config.n_segments``.
    """
    frame, matrix = _prepared(features, "features")
    sample_matrix = _sample_matrix(frame, fit_sample)
    k = check_cluster_count(
        _n_segments(config, model_selection), sample_matrix, frame_name="fit_sample"
    )
    tree = linkage_matrix(merge_tree)
    if len(tree) != len(sample_matrix) - 1:
        raise ClusteringInputError(
            f"merge_tree: {len(tree)} merges for {len(sample_matrix)} leaves; expected "
            f"{len(sample_matrix) - 1} (is it the tree of this fit_sample?)"
        )
    sample_labels = fcluster(tree, t=k, criterion="maxclust") - 1
    if len(np.unique(sample_labels)) != k:
        raise ClusteringInputError(
            f"the ward tree cannot be cut into exactly {k} clusters (tied merge distances);"
            " choose another number of segments"
        )
    in_sample = frame["customer_id"].isin(fit_sample["customer_id"]).to_numpy()
    position = pd.Series(np.arange(len(frame)), index=frame["customer_id"])
    sample_positions = position.loc[
        fit_sample.sort_values("leaf_node_id", kind="mergesort")["customer_id"]
    ].to_numpy()
    labels = nearest_centre_labels(matrix, sample_positions, sample_labels)
    result = named_assignment(
        frame["customer_id"].to_numpy(),
        matrix,
        labels,
        n_segments=k,
        monetary=_monetary(frame),
    )
    result["is_fit_sample"] = in_sample
    return result


def agglomerative_segments(
    features: pd.DataFrame, config: ClusteringConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """Ward segments in one call: sample, merge tree, cut and assign (see the steps)."""
    sample = select_fit_sample(features, config)
    tree = ward_merge_tree(features, sample)
    return cut_and_assign(features, sample, tree, config)
