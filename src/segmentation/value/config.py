"""The value models' settings: one frozen dataclass, each setting named, defaulted and checked
once, here (as ``segmentation.clustering.ClusteringConfig`` does for the clustering).

``from_vars`` converts rendered dbt vars (strings or YAML scalars) by name; the fitting and
prediction functions receive the typed configuration and never parse a value again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ._inputs import ValueModelInputError

#: Days per month of the CLV's monthly discounting (a Gregorian year / 12).
DAYS_PER_MONTH = 365.25 / 12


def _integer(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    number = float(raw)  # type: ignore[arg-type]
    if not number.is_integer():
        raise ValueError(raw)
    return int(number)


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError(raw)
    return float(raw)  # type: ignore[arg-type]


def _setting(default: object, allowed: str, valid: Callable[[Any], bool], parse) -> Any:
    return field(default=default, metadata={"allowed": allowed, "valid": valid, "parse": parse})


def _whole_at_least(low: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= low


@dataclass(frozen=True)
class ValueModelConfig:
    """Settings of BG/NBD, Gamma-Gamma and the CLV built on them (time unit: days)."""

    #: Fewer customers than this (BG/NBD: all; Gamma-Gamma: those with a repeat purchase)
    #: and the model is not fitted: its status says 'too_few_customers'.
    value_model_min_customers: int = _setting(20, "an integer >= 2", _whole_at_least(2), _integer)
    #: Iterations of the optimiser (L-BFGS-B); a fit that needs more is 'not_converged'.
    value_model_max_iterations: int = _setting(
        1000, "an integer >= 1", _whole_at_least(1), _integer
    )
    #: CLV horizon in days, and the monthly rate its cash flows are discounted at.
    clv_horizon_days: int = _setting(365, "an integer >= 1", _whole_at_least(1), _integer)
    clv_discount_rate_monthly: float = _setting(
        0.01,
        "a number in [0, 1)",
        lambda value: isinstance(value, float) and math.isfinite(value) and 0 <= value < 1,
        _number,
    )

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if not setting.metadata["valid"](value):
                raise ValueModelInputError(_message(setting.name, value))

    @classmethod
    def from_vars(cls, values: Mapping[str, object] | None) -> ValueModelConfig:
        """The configuration from rendered dbt vars, by name."""
        settings = {setting.name: setting for setting in fields(cls)}
        typed: dict[str, object] = {}
        for name, raw in (values or {}).items():
            if name not in settings:
                raise ValueModelInputError(
                    f"unknown value model setting {name!r}; known: {sorted(settings)}"
                )
            try:
                typed[name] = settings[name].metadata["parse"](raw)
            except (TypeError, ValueError):
                raise ValueModelInputError(_message(name, raw)) from None
        return cls(**typed)  # type: ignore[arg-type]


def _message(name: str, value: object) -> str:
    allowed = {setting.name: setting for setting in fields(ValueModelConfig)}[name]
    return f"setting {name} must be {allowed.metadata['allowed']}, got {value!r}"


#: The defaults, for callers that configure nothing.
DEFAULT_VALUE_CONFIG = ValueModelConfig()
