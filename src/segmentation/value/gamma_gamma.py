"""Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma model of
monetary value"; Colombo & Jiang 1999): from each repeat customer's number of repeat
purchases x and their mean value m_x.

A purchase's value is Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers; it assumes
spend does not depend on the purchase count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln

from ._fitting import ModelFit, maximise_log_likelihood, too_few_customers
from ._inputs import repeat_values
from .config import DEFAULT_VALUE_CONFIG, ValueModelConfig

MODEL = "gamma_gamma"
PARAMETERS: tuple[str, ...] = ("p", "q", "gamma")


def log_likelihoods(parameters, x, m_x) -> np.ndarray:
    """Each repeat customer's log-likelihood of (x, m_x) (the note's equation 3, with z-bar =
    m_x): the density of the mean of x Gamma(p, nu) values, nu integrated out."""
    p, q, gamma = parameters
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m_x * x)
    )


def fit_gamma_gamma(
    summary: pd.DataFrame, config: ValueModelConfig = DEFAULT_VALUE_CONFIG
) -> ModelFit:
    """Maximum-likelihood p, q, gamma on the customers of ``summary`` with a repeat purchase.

    Start: p = q = 1 and gamma = the mean of m_x. Not fitted with fewer than
    ``value_model_min_customers`` repeat customers.
    """
    x, m_x, _ = repeat_values(summary)
    customers = len(x)
    too_few = too_few_customers(
        MODEL, PARAMETERS, customers, config.value_model_min_customers,
        "customers with a repeat purchase",
    )  # fmt: skip
    if too_few:
        return too_few
    return maximise_log_likelihood(
        MODEL,
        PARAMETERS,
        lambda parameters: log_likelihoods(parameters, x, m_x),
        np.array([1.0, 1.0, float(np.mean(m_x))]),
        customers,
        config.value_model_max_iterations,
    )


def expected_average_value(fit: ModelFit, x, m_x) -> np.ndarray:
    """E[M | x, m_x] = (gamma + x m_x) p / (p x + q - 1) (the note's equation 5): a weighted
    mean of the population mean gamma p / (q - 1) and the customer's own m_x; a customer
    without repeat purchases (x = 0, m_x ignored) gets the population mean. NaN unless
    q > 1 (the population mean is infinite otherwise)."""
    p, q, gamma = (fit.parameters[name] for name in PARAMETERS)
    x = np.asarray(x, dtype="float64")
    m_x = np.where(x > 0, np.asarray(m_x, dtype="float64"), 0.0)
    if not q > 1:
        return np.full_like(x, np.nan)
    return (gamma + x * m_x) * p / (p * x + q - 1)
