"""The value models' settings: one frozen dataclass (``segmentation.settings``), each setting
named, defaulted and checked once, here.

Settings that are dbt vars carry the var's name, and their default equals the var's default
in dbt_project.yml (a test reads the yml). The dbt models pass the rendered vars
(``config.meta.value_models`` in models/intermediate/value/_value__models.yml) to
``ValueModelConfig.from_vars``.
"""

from __future__ import annotations

import math
from dataclasses import Field, dataclass
from typing import ClassVar

from segmentation.settings import (
    Settings,
    at_least,
    integer,
    number,
    random_state_setting,
    setting,
)

from ._inputs import ValueModelInputError

#: Days per month of the CLV's monthly discounting (a Gregorian year / 12).
DAYS_PER_MONTH = 365.25 / 12


def _probability(low_exclusive_of: str | None = None):
    """The check of a P(alive) threshold: a number in [0, 1], above another threshold."""

    def valid(value: object, settings: ValueModelConfig) -> bool:
        if not (isinstance(value, float) and 0 <= value <= 1):
            return False
        return low_exclusive_of is None or value > getattr(settings, low_exclusive_of)

    return valid


@dataclass(frozen=True)
class ValueModelConfig(Settings):
    """Settings of BG/NBD, Gamma-Gamma and the predictions built on them (time unit: days)."""

    subject: ClassVar[str] = "value model"
    error: ClassVar[type[Exception]] = ValueModelInputError

    #: Fewer customers than this (BG/NBD: all; Gamma-Gamma: those with a repeat purchase)
    #: and the model is not fitted: its status says 'too_few_customers'.
    value_model_min_customers: int = setting(20, "an integer >= 2", at_least(2), integer)
    #: Iterations of the optimiser (L-BFGS-B); a fit that needs more is 'not_converged'.
    value_model_max_iterations: int = setting(1000, "an integer >= 1", at_least(1), integer)
    #: Both models are fitted on a deterministic sample of at most this many customers;
    #: every customer is predicted.
    value_model_max_fit_customers: int = setting(100_000, "an integer >= 2", at_least(2), integer)
    #: Seed of the fit sample (the project's one seed, shared with the clustering).
    random_state: int = random_state_setting()
    #: CLV horizon in days (the marts' column names say 365, so it is not a var), and the
    #: monthly rate its cash flows are discounted at.
    clv_horizon_days: int = setting(365, "an integer >= 1", at_least(1), integer, dbt_var=False)
    clv_discount_rate_monthly: float = setting(
        0.01,
        "a number in [0, 1)",
        lambda value, _: isinstance(value, float) and math.isfinite(value) and 0 <= value < 1,
        number,
    )
    #: churn_risk is 'high' when P(alive) is below churn_risk_high_below, 'medium' below
    #: churn_risk_medium_below, else 'low'.
    churn_risk_high_below: float = setting(0.3, "a number in [0, 1]", _probability(), number)
    churn_risk_medium_below: float = setting(
        0.7,
        "a number in [0, 1] above churn_risk_high_below",
        _probability("churn_risk_high_below"),
        number,
    )

    def _context(self, setting_field: Field) -> str:
        """A churn threshold names the other one."""
        if setting_field.name == "churn_risk_medium_below":
            return f" (churn_risk_high_below={self.churn_risk_high_below})"
        return ""


#: The defaults, for callers that configure nothing.
DEFAULT_VALUE_CONFIG = ValueModelConfig()
