"""The clustering's settings: one typed configuration, validated once.

Every setting has one name and one default, here. Settings that are dbt vars carry the var's
name, and their default equals the var's default in dbt_project.yml (a test reads the yml). The
dbt models pass the rendered vars (``config.meta.clustering`` in
models/intermediate/clustering/_clustering__models.yml) to ``ClusteringConfig.from_vars``,
which converts and validates each value; the functions of this package receive the typed
configuration and never parse a value again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from ._frames import FEATURES, ClusteringInputError

#: ``n_segments`` value that takes the recommended k (see ``selection``).
AUTO: Literal["auto"] = "auto"
#: Covariance structures of scikit-learn's GaussianMixture.
COVARIANCE_TYPES: tuple[str, ...] = ("full", "tied", "diag", "spherical")
#: What ``rfm_log_transform: true`` means: log1p on the two heavy-tailed features.
LOG_FEATURES_BY_DEFAULT: tuple[str, ...] = ("frequency", "monetary")

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", "none", ""})


def _integer(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        return int(raw)
    raise ValueError(raw)


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(raw)


def _n_segments(raw: object) -> int | Literal["auto"]:
    if isinstance(raw, str) and raw.strip().lower() == AUTO:
        return AUTO
    return _integer(raw)


def _log_transform(raw: object) -> bool | tuple[str, ...]:
    """true/false, or the features to log-transform (a list or a comma-separated string)."""
    if isinstance(raw, str) and "," not in raw and raw.strip().lower() in _TRUE | _FALSE:
        return _boolean(raw)
    if isinstance(raw, bool):
        return raw
    parts = raw.split(",") if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
    return tuple(str(part).strip() for part in parts)


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError(raw)
    return raw.strip()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _setting(
    default: object,
    allowed: str,
    valid: Callable[[Any, ClusteringConfig], bool],
    parse: Callable[[object], object],
    *,
    dbt_var: bool = True,
) -> Any:
    """A field with its default, its constraint (in words and as a check) and its parser."""
    return field(
        default=default,
        metadata={"allowed": allowed, "valid": valid, "parse": parse, "dbt_var": dbt_var},
    )


def _at_least(low: int) -> Callable[[Any, ClusteringConfig], bool]:
    return lambda value, _: _is_int(value) and value >= low


@dataclass(frozen=True)
class ClusteringConfig:
    """Every setting of the clustering; fields named as their dbt var (where they are one).

    Construct it from rendered dbt vars with ``from_vars``; direct construction takes typed
    values (tests, notebooks). Either way each value is checked once, here.
    """

    #: Smallest and largest k of the model-selection sweep.
    k_min: int = _setting(2, "an integer >= 2", _at_least(2), _integer)
    k_max: int = _setting(
        10, "an integer >= k_min", lambda value, c: _is_int(value) and value >= c.k_min, _integer
    )
    #: Segments per method; 'auto' takes the recommended k (``selection``).
    n_segments: int | Literal["auto"] = _setting(
        4,
        "an integer in k_min..k_max, or 'auto'",
        lambda value, c: value == AUTO or (_is_int(value) and c.k_min <= value <= c.k_max),
        _n_segments,
    )
    #: log1p before MinMax on frequency and monetary (true), on no feature (false), or on
    #: the listed features.
    rfm_log_transform: bool | tuple[str, ...] = _setting(
        True,
        f"true, false or a list of features among {list(FEATURES)}",
        lambda value, _: (
            isinstance(value, bool) or (isinstance(value, tuple) and set(value) <= set(FEATURES))
        ),
        _log_transform,
    )
    #: Ward (O(n^2)) is fitted on a deterministic sample of at most this many customers.
    agglomerative_max_fit_customers: int = _setting(
        10_000, "an integer >= 2", _at_least(2), _integer
    )
    #: Silhouette (O(n^2)) is computed on at most this many customers of the sweep.
    silhouette_sample_size: int = _setting(5_000, "an integer >= 2", _at_least(2), _integer)
    #: The k sweep fits every method on at most this many customers.
    model_selection_max_customers: int = _setting(20_000, "an integer >= 2", _at_least(2), _integer)
    #: Seed of every random choice: samples, k-means and mixture initialisations.
    random_state: int = _setting(
        42,
        "an integer in 0..4294967295",
        lambda value, _: _is_int(value) and 0 <= value < 2**32,
        _integer,
    )
    gmm_covariance_type: str = _setting(
        "full",
        f"one of {list(COVARIANCE_TYPES)}",
        lambda value, _: value in COVARIANCE_TYPES,
        _text,
    )
    #: Initialisations of k-means (segmentation and sweep) and of the segmentation's mixture
    #: (EM finds local optima); the sweep fits each mixture once, for its BIC and AIC only.
    kmeans_n_init: int = _setting(10, "an integer >= 1", _at_least(1), _integer, dbt_var=False)
    gmm_n_init: int = _setting(3, "an integer >= 1", _at_least(1), _integer, dbt_var=False)
    selection_gmm_n_init: int = _setting(
        1, "an integer >= 1", _at_least(1), _integer, dbt_var=False
    )
    #: Too few distinct customers for k_max or n_segments: lower them with a warning recorded
    #: in the selection table (true) instead of failing the build (false).
    lower_k_to_fit: bool = _setting(
        True, "true or false", lambda value, _: isinstance(value, bool), _boolean, dbt_var=False
    )

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if not setting.metadata["valid"](value, self):
                bounds = f" (k_min={self.k_min}, k_max={self.k_max})"
                context = bounds if "k_min" in setting.metadata["allowed"] else ""
                raise ClusteringInputError(_message(setting.name, value) + context)

    @classmethod
    def from_vars(cls, values: Mapping[str, object] | None) -> ClusteringConfig:
        """The configuration from dbt's rendered vars (strings or YAML scalars), by name."""
        settings = {setting.name: setting for setting in fields(cls)}
        typed: dict[str, object] = {}
        for name, raw in (values or {}).items():
            if name not in settings:
                raise ClusteringInputError(
                    f"unknown clustering setting {name!r}; known: {sorted(settings)}"
                )
            try:
                typed[name] = settings[name].metadata["parse"](raw)
            except (TypeError, ValueError):
                raise ClusteringInputError(_message(name, raw)) from None
        return cls(**typed)  # type: ignore[arg-type]

    @classmethod
    def dbt_var_names(cls) -> tuple[str, ...]:
        """The settings that are dbt vars (declared with their defaults in dbt_project.yml)."""
        return tuple(setting.name for setting in fields(cls) if setting.metadata["dbt_var"])

    @property
    def log_features(self) -> frozenset[str]:
        """The features log1p-transformed before scaling."""
        if isinstance(self.rfm_log_transform, bool):
            return frozenset(LOG_FEATURES_BY_DEFAULT if self.rfm_log_transform else ())
        return frozenset(self.rfm_log_transform)


def _message(name: str, value: object) -> str:
    setting = {setting.name: setting for setting in fields(ClusteringConfig)}[name]
    label = f"var {name}" if setting.metadata["dbt_var"] else f"setting {name}"
    return f"{label} must be {setting.metadata['allowed']}, got {value!r}"


#: The defaults, for callers that do not configure anything.
DEFAULT_CONFIG = ClusteringConfig()
