"""The clustering's settings: one typed configuration, validated once.

Every setting has one name and one default, here. Settings that are dbt vars carry the var's
name, and their default equals the var's default in dbt_project.yml (a test reads the yml). The
dbt models pass the rendered vars (``config.meta.clustering`` in
models/intermediate/clustering/_clustering__models.yml) to ``ClusteringConfig.from_vars``,
which converts and validates each value; the functions of this package receive the typed
configuration and never parse a value again.
"""

from __future__ import annotations

from dataclasses import Field, dataclass
from typing import ClassVar, Literal

from segmentation.settings import (
    Settings,
    at_least,
    boolean,
    integer,
    is_integer,
    random_state_setting,
    setting,
    text,
)

from ._frames import FEATURES, ClusteringInputError

#: ``n_segments`` value that takes the recommended k (see ``selection``).
AUTO: Literal["auto"] = "auto"
#: Covariance structures of scikit-learn's GaussianMixture.
COVARIANCE_TYPES: tuple[str, ...] = ("full", "tied", "diag", "spherical")
#: What ``rfm_log_transform: true`` means: log1p on the two heavy-tailed features.
LOG_FEATURES_BY_DEFAULT: tuple[str, ...] = ("frequency", "monetary")


def _n_segments(raw: object) -> int | Literal["auto"]:
    if isinstance(raw, str) and raw.strip().lower() == AUTO:
        return AUTO
    return integer(raw)


def _log_transform(raw: object) -> bool | tuple[str, ...]:
    """true/false, or the features to log-transform (a list or a comma-separated string)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and "," not in raw:
        try:
            return boolean(raw)
        except ValueError:
            pass  # one feature name
    parts = raw.split(",") if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
    return tuple(str(part).strip() for part in parts)


@dataclass(frozen=True)
class ClusteringConfig(Settings):
    """Every setting of the clustering; fields named as their dbt var (where they are one).

    Construct it from rendered dbt vars with ``from_vars``; direct construction takes typed
    values (tests, notebooks). Either way each value is checked once, here.
    """

    subject: ClassVar[str] = "clustering"
    error: ClassVar[type[Exception]] = ClusteringInputError

    #: Smallest and largest k of the model-selection sweep.
    k_min: int = setting(2, "an integer >= 2", at_least(2), integer)
    k_max: int = setting(
        10, "an integer >= k_min", lambda value, c: is_integer(value) and value >= c.k_min, integer
    )
    #: Segments per method; 'auto' takes the recommended k (``selection``).
    n_segments: int | Literal["auto"] = setting(
        4,
        "an integer in k_min..k_max, or 'auto'",
        lambda value, c: value == AUTO or (is_integer(value) and c.k_min <= value <= c.k_max),
        _n_segments,
    )
    #: log1p before MinMax on frequency and monetary (true), on no feature (false), or on
    #: the listed features.
    rfm_log_transform: bool | tuple[str, ...] = setting(
        True,
        f"true, false or a list of features among {list(FEATURES)}",
        lambda value, _: (
            isinstance(value, bool) or (isinstance(value, tuple) and set(value) <= set(FEATURES))
        ),
        _log_transform,
    )
    #: Ward (O(n^2)) is fitted on a deterministic sample of at most this many customers.
    agglomerative_max_fit_customers: int = setting(10_000, "an integer >= 2", at_least(2), integer)
    #: Silhouette (O(n^2)) is computed on at most this many customers of the sweep.
    silhouette_sample_size: int = setting(5_000, "an integer >= 2", at_least(2), integer)
    #: The k sweep fits every method on at most this many customers.
    model_selection_max_customers: int = setting(20_000, "an integer >= 2", at_least(2), integer)
    #: k-means and the mixture (segmentation and backtest) are fitted on a deterministic
    #: sample of at most this many customers; every customer is assigned by the fitted model.
    clustering_max_fit_customers: int = setting(20_000, "an integer >= 2", at_least(2), integer)
    #: Seed of every random choice: samples, k-means and mixture initialisations.
    random_state: int = random_state_setting()
    gmm_covariance_type: str = setting(
        "full",
        f"one of {list(COVARIANCE_TYPES)}",
        lambda value, _: value in COVARIANCE_TYPES,
        text,
    )
    #: Initialisations of the segmentation's k-means and mixture (EM finds local optima).
    kmeans_n_init: int = setting(10, "an integer >= 1", at_least(1), integer, dbt_var=False)
    gmm_n_init: int = setting(3, "an integer >= 1", at_least(1), integer, dbt_var=False)
    #: Initialisations in the k sweep, which fits k_max - k_min + 1 of each: k-means 3 (its
    #: inertia decides the recommended k; 1 moved it on the reference file), the mixture 1
    #: (only its BIC and AIC are reported).
    selection_kmeans_n_init: int = setting(
        3, "an integer >= 1", at_least(1), integer, dbt_var=False
    )
    selection_gmm_n_init: int = setting(1, "an integer >= 1", at_least(1), integer, dbt_var=False)
    #: Too few distinct customers for k_max or n_segments: lower them with a warning recorded
    #: in the selection table (true) instead of failing the build (false).
    lower_k_to_fit: bool = setting(
        True, "true or false", lambda value, _: isinstance(value, bool), boolean, dbt_var=False
    )

    def _context(self, setting_field: Field) -> str:
        """A bound on k names the current bounds."""
        if "k_min" in setting_field.metadata["allowed"]:
            return f" (k_min={self.k_min}, k_max={self.k_max})"
        return ""

    @property
    def log_features(self) -> frozenset[str]:
        """The features log1p-transformed before scaling."""
        if isinstance(self.rfm_log_transform, bool):
            return frozenset(LOG_FEATURES_BY_DEFAULT if self.rfm_log_transform else ())
        return frozenset(self.rfm_log_transform)


#: The defaults, for callers that do not configure anything.
DEFAULT_CONFIG = ClusteringConfig()
