"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchase counts
and P(alive) from each customer's x, t_x and T (time unit: days).

While alive a customer buys at rate lambda ~ Gamma(r, alpha); after each purchase they drop
out with probability p ~ Beta(a, b). Equation numbers refer to the paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1

from ._fitting import (
    NO_REPEAT_BUYERS,
    ModelFit,
    maximise_log_likelihood,
    not_fitted,
    too_few_customers,
)
from ._inputs import purchase_counts
from .config import DEFAULT_VALUE_CONFIG, ValueModelConfig

MODEL = "bg_nbd"
PARAMETERS: tuple[str, ...] = ("r", "alpha", "a", "b")


def log_likelihoods(parameters, x, t_x, big_t) -> np.ndarray:
    """Each customer's log-likelihood (equation 6), in log space: the two terms of the sum are
    added with logaddexp; the second exists only for x > 0 (B(a+1, b+x-1) needs b+x-1 > 0)."""
    r, alpha, a, b = parameters
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still_alive = betaln(a, b + x) - (r + x) * np.log(alpha + big_t)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[repeat] = betaln(a + 1, b + x[repeat] - 1) - (r + x[repeat]) * np.log(
        alpha + t_x[repeat]
    )
    return common + np.logaddexp(still_alive, dropped)


def fit_bg_nbd(summary: pd.DataFrame, config: ValueModelConfig = DEFAULT_VALUE_CONFIG) -> ModelFit:
    """Maximum-likelihood r, alpha, a, b of the customers of ``summary``.

    Start: r = a = b = 1 and alpha = the mean T (a rate of about one purchase per observed
    period); not fitted when there are fewer than ``value_model_min_customers`` customers or no
    repeat purchase at all (the likelihood then grows without bound as r -> 0).
    """
    x, t_x, big_t = purchase_counts(summary)
    customers = len(x)
    too_few = too_few_customers(MODEL, PARAMETERS, customers, config.value_model_min_customers)
    if too_few:
        return too_few
    if not (x > 0).any():
        return not_fitted(
            MODEL, PARAMETERS, customers, NO_REPEAT_BUYERS,
            "no customer bought on more than one day",
        )  # fmt: skip
    start = np.array([1.0, max(float(np.mean(big_t)), 1.0), 1.0, 1.0])
    return maximise_log_likelihood(
        MODEL,
        PARAMETERS,
        lambda parameters: log_likelihoods(parameters, x, t_x, big_t),
        start,
        customers,
        config.value_model_max_iterations,
    )


def _parameters(fit: ModelFit) -> tuple[float, float, float, float]:
    return tuple(fit.parameters[name] for name in PARAMETERS)  # type: ignore[return-value]


def p_alive(fit: ModelFit, x, t_x, big_t) -> np.ndarray:
    """P(still alive at T | x, t_x, T) (FHL 2005, appendix; Fader, Hardie & Lee 2008 note,
    eq. 1): 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
    A customer without repeat purchases is alive with probability 1: in BG/NBD a customer
    can only drop out right after a purchase."""
    r, alpha, a, b = _parameters(fit)
    x, t_x, big_t = (np.asarray(v, dtype="float64") for v in (x, t_x, big_t))
    log_odds = np.full_like(x, -np.inf)
    repeat = x > 0
    xr = x[repeat]
    log_odds[repeat] = (
        np.log(a)
        - np.log(b + xr - 1)
        + (r + xr) * (np.log(alpha + big_t[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return 1.0 / (1.0 + np.exp(log_odds))


def expected_purchases(fit: ModelFit, t) -> np.ndarray:
    """E[X(t)] of a new customer over t days (equation 9)."""
    r, alpha, a, b = _parameters(fit)
    t = np.asarray(t, dtype="float64")
    tail = (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - tail)


def conditional_expected_purchases(fit: ModelFit, t, x, t_x, big_t) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: purchases in the t days after T (equation 10).

    The term ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z), z = t/(alpha+T+t), is
    computed by Euler's transformation as (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the
    same value, without overflowing 2F1 for customers with many purchases.
    """
    return expected_purchases_if_alive(fit, t, x, big_t) * p_alive(fit, x, t_x, big_t)


def expected_purchases_if_alive(fit: ModelFit, t, x, big_t) -> np.ndarray:
    """E[Y(t) | x, t_x, T, alive at T]: equation 10 without its P(alive) factor (it depends
    on t_x only through P(alive))."""
    r, alpha, a, b = _parameters(fit)
    t, x, big_t = (np.asarray(v, dtype="float64") for v in (t, x, big_t))
    z = t / (alpha + big_t + t)
    tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * (1 - tail)
