"""Customer lifetime value over a horizon: BG/NBD purchases times Gamma-Gamma value,
discounted monthly.

CLV(H) = sum over months k = 1..ceil(H / month) of
    (E[Y(t_k) | x, t_x, T] - E[Y(t_(k-1)) | x, t_x, T]) * E[M | x, m_x] / (1 + d)^(t_k / month)
with t_k = min(k * month, H) days, month = DAYS_PER_MONTH and d the monthly discount rate:
the purchases expected in each month of the horizon, valued at the expected order value and
discounted from the end of that month (a last, partial month at its fraction).
"""

from __future__ import annotations

import math

import numpy as np

from . import bg_nbd, gamma_gamma
from ._fitting import ModelFit
from .config import DAYS_PER_MONTH, DEFAULT_VALUE_CONFIG, ValueModelConfig


def month_ends(horizon_days: float) -> np.ndarray:
    """t_1..t_K in days: the ends of the months of the horizon, the last cut at the horizon."""
    months = math.ceil(horizon_days / DAYS_PER_MONTH)
    return np.minimum(np.arange(1, months + 1) * DAYS_PER_MONTH, horizon_days)


def customer_lifetime_value(
    purchases: ModelFit,
    value: ModelFit,
    x,
    t_x,
    big_t,
    m_x,
    config: ValueModelConfig = DEFAULT_VALUE_CONFIG,
) -> np.ndarray:
    """Discounted value of each customer's purchases in the next ``clv_horizon_days`` days
    (formula in the module docstring), in the currency of m_x."""
    x, t_x, big_t = (np.asarray(v, dtype="float64") for v in (x, t_x, big_t))
    order_value = gamma_gamma.expected_average_value(value, x, m_x)
    alive = bg_nbd.p_alive(purchases, x, t_x, big_t)
    total = np.zeros_like(x)
    previous = np.zeros_like(x)
    for end in month_ends(config.clv_horizon_days):
        cumulative = bg_nbd.expected_purchases_if_alive(purchases, end, x, big_t) * alive
        discount = (1 + config.clv_discount_rate_monthly) ** (end / DAYS_PER_MONTH)
        total += (cumulative - previous) / discount
        previous = cumulative
    return total * order_value
