"""The value models' settings: one frozen dataclass (``segmentation.settings``), each setting
named, defaulted and checked once, here. None is a dbt var yet: the dbt models that will pass
them come later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from segmentation.settings import Settings, at_least, integer, number, setting

from ._inputs import ValueModelInputError

#: Days per month of the CLV's monthly discounting (a Gregorian year / 12).
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ValueModelConfig(Settings):
    """Settings of BG/NBD, Gamma-Gamma and the CLV built on them (time unit: days)."""

    subject: ClassVar[str] = "value model"
    error: ClassVar[type[Exception]] = ValueModelInputError

    #: Fewer customers than this (BG/NBD: all; Gamma-Gamma: those with a repeat purchase)
    #: and the model is not fitted: its status says 'too_few_customers'.
    value_model_min_customers: int = setting(
        20, "an integer >= 2", at_least(2), integer, dbt_var=False
    )
    #: Iterations of the optimiser (L-BFGS-B); a fit that needs more is 'not_converged'.
    value_model_max_iterations: int = setting(
        1000, "an integer >= 1", at_least(1), integer, dbt_var=False
    )
    #: CLV horizon in days, and the monthly rate its cash flows are discounted at.
    clv_horizon_days: int = setting(365, "an integer >= 1", at_least(1), integer, dbt_var=False)
    clv_discount_rate_monthly: float = setting(
        0.01,
        "a number in [0, 1)",
        lambda value, _: isinstance(value, float) and math.isfinite(value) and 0 <= value < 1,
        number,
        dbt_var=False,
    )


#: The defaults, for callers that configure nothing.
DEFAULT_VALUE_CONFIG = ValueModelConfig()
