"""BG/NBD, Gamma-Gamma and CLV of segmentation.value on small frames.

Formulas are checked against the papers' special cases and a direct (non-log) evaluation of
the same equations; fits against data simulated from known parameters; bad summaries against
the message they must give.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import beta, gamma, hyp2f1

from segmentation.value import (
    CONVERGED,
    DEFAULT_VALUE_CONFIG,
    NO_REPEAT_BUYERS,
    NOT_CONVERGED,
    TOO_FEW_CUSTOMERS,
    ModelFit,
    ValueModelConfig,
    ValueModelInputError,
    bg_nbd,
    conditional_expected_purchases,
    customer_lifetime_value,
    expected_average_value,
    expected_purchases,
    fit_bg_nbd,
    fit_gamma_gamma,
    gamma_gamma,
    month_ends,
    p_alive,
)

# The CDNOW estimates of the BG/NBD paper, alpha in days (4.414 weeks x 7).
BG = ModelFit("bg_nbd", {"r": 0.243, "alpha": 30.9, "a": 0.793, "b": 2.426}, 0.0, 0, CONVERGED, "")
GG = ModelFit("gamma_gamma", {"p": 6.25, "q": 3.74, "gamma": 15.44}, 0.0, 0, CONVERGED, "")


def summary(x, t_x, big_t, m_x=None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": range(1, len(x) + 1),
            "repeat_purchases": x,
            "first_to_last_purchase_days": t_x,
            "first_purchase_to_period_end_days": big_t,
        }
    )
    frame["mean_repeat_purchase_value"] = m_x if m_x is not None else np.nan
    return frame


def simulate_bg_nbd(r, alpha, a, b, customers, period, rng) -> pd.DataFrame:
    """Purchase histories drawn from BG/NBD itself, observed for `period` days each."""
    rates = rng.gamma(r, 1 / alpha, customers)
    dropouts = rng.beta(a, b, customers)
    rows = []
    for rate, dropout in zip(rates, dropouts, strict=True):
        time, x, t_x = 0.0, 0, 0.0
        while True:
            time += rng.exponential(1 / rate)
            if time > period:
                break
            x, t_x = x + 1, time
            if rng.random() < dropout:
                break
        rows.append((x, t_x, period))
    x, t_x, big_t = zip(*rows, strict=True)
    return summary(list(x), list(t_x), list(big_t))


# --- BG/NBD ------------------------------------------------------------------------------


def test_log_likelihood_is_equation_6():
    # given customers with and without repeat purchases
    x, t_x, big_t = (
        np.array([0.0, 1.0, 4.0]),
        np.array([0.0, 20.0, 200.0]),
        np.array([30.0, 100.0, 250.0]),
    )
    r, alpha, a, b = 0.5, 20.0, 0.8, 2.5
    # when the package evaluates it in log space
    logged = bg_nbd.log_likelihoods((r, alpha, a, b), x, t_x, big_t)
    # then it equals the paper's likelihood evaluated directly
    common = beta(a, b + x) / beta(a, b) * gamma(r + x) * alpha**r / gamma(r)
    direct = common / (alpha + big_t) ** (r + x) + np.where(
        x > 0,
        beta(a + 1, b + x - 1) / beta(a, b) * gamma(r + x) * alpha**r / gamma(r)
        / (alpha + t_x) ** (r + x),
        0.0,
    )  # fmt: skip
    np.testing.assert_allclose(logged, np.log(direct), rtol=1e-10)


def test_log_likelihood_stays_finite_for_heavy_buyers():
    # given a customer with 400 repeat purchases (the direct form under/overflows)
    # when the log-likelihood is evaluated
    value = bg_nbd.log_likelihoods((0.243, 30.9, 0.793, 2.426), np.array([400.0]),
                                   np.array([360.0]), np.array([365.0]))  # fmt: skip
    # then it is a finite number
    assert np.isfinite(value).all()


def test_a_customer_without_repeat_purchases_is_alive():
    # given BG/NBD, where a customer can only drop out right after a purchase
    # when a customer has no repeat purchase, however long ago the first
    # then P(alive) is 1
    np.testing.assert_array_equal(p_alive(BG, [0, 0], [0, 0], [10, 1000]), [1.0, 1.0])


def test_p_alive_is_the_closed_form():
    # given x = 2, t_x = 100, T = 200
    r, alpha, a, b = BG["r"], BG["alpha"], BG["a"], BG["b"]
    # when P(alive) is computed
    value = p_alive(BG, [2], [100], [200])[0]
    # then it is 1 / (1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))
    expected = 1 / (1 + a / (b + 1) * ((alpha + 200) / (alpha + 100)) ** (r + 2))
    assert value == pytest.approx(expected, rel=1e-12)


def test_more_recent_last_purchase_means_more_likely_alive():
    # given equal customers whose last purchase is ever more recent
    t_x = np.arange(1, 200, 10)
    # when P(alive) is computed
    alive = p_alive(BG, np.full(t_x.shape, 3), t_x, np.full(t_x.shape, 200))
    # then it rises with t_x and stays a probability
    assert (np.diff(alive) > 0).all()
    assert ((alive > 0) & (alive <= 1)).all()


def test_p_alive_falls_the_longer_a_repeat_buyer_is_silent():
    alive = p_alive(BG, [3, 3, 3], [50, 50, 50], [60, 200, 500])
    assert (np.diff(alive) < 0).all()


def test_expected_purchases_start_at_the_mean_rate():
    # given a new customer, alive at time 0 with rate lambda ~ Gamma(r, alpha)
    # when a very short period is looked at
    # then E[X(t)] ~ t r / alpha (equation 9 at t -> 0)
    assert expected_purchases(BG, 1e-4) == pytest.approx(1e-4 * BG["r"] / BG["alpha"], rel=1e-3)


def test_conditional_expectation_of_a_new_customer_is_the_unconditional_one():
    # given x = t_x = T = 0 (nothing observed yet)
    t = np.array([7.0, 90.0, 365.0])
    # when the conditional expectation (equation 10) is computed
    conditional = conditional_expected_purchases(BG, t, 0, 0, 0)
    # then it equals E[X(t)] (equation 9)
    np.testing.assert_allclose(conditional, expected_purchases(BG, t), rtol=1e-10)


def test_conditional_expectation_is_equation_10():
    # given a customer with a few purchases (2F1 is well-behaved in the direct form)
    r, alpha, a, b = BG["r"], BG["alpha"], BG["a"], BG["b"]
    x, t_x, big_t, t = 3.0, 150.0, 250.0, 90.0
    # when the package computes E[Y(t) | x, t_x, T] by Euler's transformation
    value = conditional_expected_purchases(BG, t, x, t_x, big_t)
    # then it equals the paper's form
    head = (a + b + x - 1) / (a - 1)
    ratio = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    direct = head * (1 - ratio * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t)))
    direct /= 1 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x)
    assert value == pytest.approx(direct, rel=1e-10)


def test_conditional_expectation_grows_with_the_horizon_and_with_recency():
    horizons = conditional_expected_purchases(BG, [30, 90, 365], 4, 200, 250)
    assert (np.diff(horizons) > 0).all() and (horizons > 0).all()
    recency = conditional_expected_purchases(BG, 90, [4, 4], [50, 240], [250, 250])
    assert recency[1] > recency[0]
    heavy = conditional_expected_purchases(BG, 365, 500, 360, 365)
    assert np.isfinite(heavy) and heavy > 0


def test_fit_recovers_simulated_parameters():
    # given 4,000 customers simulated from known parameters, observed for a year
    truth = {"r": 0.5, "alpha": 20.0, "a": 0.7, "b": 3.0}
    frame = simulate_bg_nbd(**truth, customers=4000, period=365, rng=np.random.default_rng(7))
    # when BG/NBD is fitted
    fit = fit_bg_nbd(frame)
    # then it converged near the truth (sampling error of 4,000 customers)
    assert fit.status == CONVERGED and fit.customers == 4000
    for name, value in truth.items():
        assert fit[name] == pytest.approx(value, rel=0.25), name
    # and its likelihood is at least that of the truth
    assert fit.log_likelihood >= bg_nbd.log_likelihoods(
        tuple(truth.values()),
        *(frame[c].to_numpy(float) for c in
          ("repeat_purchases", "first_to_last_purchase_days",
           "first_purchase_to_period_end_days")),
    ).sum()  # fmt: skip


def test_too_few_customers_and_no_repeat_buyers_are_statuses_not_errors():
    # given too few customers, then customers who never came back
    few = fit_bg_nbd(summary([1, 0], [5, 0], [10, 10]))
    none_back = fit_bg_nbd(summary([0] * 30, [0] * 30, [100] * 30))
    # then neither fit is attempted, and each says why
    assert few.status == TOO_FEW_CUSTOMERS and math.isnan(few["r"])
    assert none_back.status == NO_REPEAT_BUYERS and none_back.customers == 30


def test_an_optimiser_out_of_iterations_says_not_converged():
    frame = simulate_bg_nbd(0.5, 20.0, 0.7, 3.0, 300, 365, np.random.default_rng(1))
    fit = fit_bg_nbd(frame, ValueModelConfig(value_model_max_iterations=1))
    assert fit.status == NOT_CONVERGED and fit.message


# --- Gamma-Gamma ---------------------------------------------------------------------------


def test_gamma_gamma_log_likelihood_is_the_note_equation():
    p, q, g = 6.0, 4.0, 15.0
    x, m_x = np.array([1.0, 3.0]), np.array([20.0, 35.5])
    logged = gamma_gamma.log_likelihoods((p, q, g), x, m_x)
    direct = (
        gamma(p * x + q) / (gamma(p * x) * gamma(q)) * g**q * m_x ** (p * x - 1)
        * x ** (p * x) / (g + m_x * x) ** (p * x + q)
    )  # fmt: skip
    np.testing.assert_allclose(logged, np.log(direct), rtol=1e-10)


def test_expected_value_shrinks_a_customer_mean_towards_the_population_mean():
    # given the population mean gamma p / (q - 1)
    population = GG["gamma"] * GG["p"] / (GG["q"] - 1)
    # when a customer has no repeat purchase, one, or many, all at 100
    value = expected_average_value(GG, [0, 1, 50], [np.nan, 100.0, 100.0])
    # then the first gets the population mean and the others move towards their own 100
    assert value[0] == pytest.approx(population)
    assert population < value[1] < value[2] < 100


def test_gamma_gamma_fit_recovers_simulated_parameters():
    # given 20,000 repeat customers whose purchase values are Gamma(p, nu), nu ~ Gamma(q,
    # gamma) (p and gamma are strongly correlated: 3,000 customers can miss p by a third)
    rng = np.random.default_rng(3)
    p, q, g, n = 6.0, 4.0, 15.0, 20_000
    x = rng.integers(1, 8, n)
    nu = rng.gamma(q, 1 / g, n)
    m_x = np.array([rng.gamma(p, 1 / scale, n).mean() for n, scale in zip(x, nu, strict=True)])
    frame = summary(x, np.ones(n), np.full(n, 10.0), m_x)
    # when Gamma-Gamma is fitted
    fit = fit_gamma_gamma(frame)
    # then it converged near the truth
    assert fit.status == CONVERGED and fit.customers == n
    for name, value in {"p": p, "q": q, "gamma": g}.items():
        assert fit[name] == pytest.approx(value, rel=0.1), name
    # and the population mean spend gamma p / (q - 1) closely
    assert fit["gamma"] * fit["p"] / (fit["q"] - 1) == pytest.approx(g * p / (q - 1), rel=0.03)


def test_gamma_gamma_counts_repeat_customers_only():
    fit = fit_gamma_gamma(summary([0, 0, 1, 2], [0, 0, 3, 4], [9, 9, 9, 9], [None, None, 5, 7]))
    assert fit.status == TOO_FEW_CUSTOMERS and fit.customers == 2


# --- CLV -----------------------------------------------------------------------------------


def test_month_ends_cut_the_horizon():
    ends = month_ends(365)
    assert len(ends) == 12 and ends[-1] == 365 and (np.diff(ends) > 0).all()
    assert month_ends(10).tolist() == [10]


def test_undiscounted_clv_is_expected_purchases_times_expected_value():
    # given no discounting
    config = ValueModelConfig(clv_discount_rate_monthly=0.0, clv_horizon_days=365)
    x, t_x, big_t, m_x = [0, 2, 5], [0, 100, 200], [250, 250, 250], [np.nan, 30.0, 12.0]
    # when CLV is computed
    clv = customer_lifetime_value(BG, GG, x, t_x, big_t, m_x, config)
    # then the monthly sums telescope to E[Y(365)] x E[M]
    expected = conditional_expected_purchases(BG, 365, x, t_x, big_t) * expected_average_value(
        GG, x, m_x
    )
    np.testing.assert_allclose(clv, expected, rtol=1e-12)
    # and discounting only lowers it
    discounted = customer_lifetime_value(BG, GG, x, t_x, big_t, m_x, DEFAULT_VALUE_CONFIG)
    assert (discounted < clv).all() and (discounted > 0).all()


# --- Settings and bad input ----------------------------------------------------------------


def test_settings_from_rendered_vars():
    config = ValueModelConfig.from_vars(
        {"clv_discount_rate_monthly": "0.02", "clv_horizon_days": "90"}
    )
    assert config.clv_discount_rate_monthly == 0.02 and config.clv_horizon_days == 90


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"clv_discount_rate_monthly": "-0.1"}, "clv_discount_rate_monthly must be a number in"),
        ({"clv_horizon_days": "ninety"}, "clv_horizon_days must be an integer >= 1"),
        ({"value_model_min_customers": 1}, "value_model_min_customers must be an integer >= 2"),
        ({"horizon": 3}, "unknown value model setting 'horizon'"),
    ],
)
def test_bad_settings_are_named(values, message):
    with pytest.raises(ValueModelInputError, match=message):
        ValueModelConfig.from_vars(values)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (summary([], [], []), "no customers"),
        (summary([1, -1], [3, 0], [9, 9]), "repeat_purchases must be a whole number >= 0"),
        (summary([1.5], [3], [9]), "repeat_purchases must be a whole number >= 0"),
        (summary([1], [-3], [9]), "first_to_last_purchase_days must be >= 0"),
        (summary([1, 2], [3, 12], [9, 9]), r"must not exceed .*customer_id=2"),
        (summary([0], [4], [9]), "must be 0 without repeat purchases"),
        (summary([1], [None], [9]), "first_to_last_purchase_days must be a finite number"),
        (summary([1], [3], [9]).drop(columns="first_purchase_to_period_end_days"), "missing"),
    ],
)
def test_bad_summaries_stop_with_a_message(frame, message):
    with pytest.raises(ValueModelInputError, match=message):
        fit_bg_nbd(frame)


def test_a_repeat_customer_needs_a_positive_mean_value():
    with pytest.raises(
        ValueModelInputError, match="mean_repeat_purchase_value must be a number > 0"
    ):
        fit_gamma_gamma(summary([0, 1], [0, 3], [9, 9], [None, 0.0]))
