"""Bench of the value models: BG/NBD and Gamma-Gamma fit plus every customer's predictions.

Purchase summaries are drawn from the models' own generative processes with known
parameters (``simulate_summary``), at 100k and 1M customers; each size is fitted with the
project's defaults (the fit on a sample of at most ``value_model_max_fit_customers``) and
predicted for everyone, in this process, timed separately. Results go to
bench/results/value_models.json (or --out) and are printed.

    python bench/value_models.py                      # 100k and 1M customers
    python bench/value_models.py --customers 20000    # any sizes
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.value import DEFAULT_VALUE_CONFIG, fit_value_models, predict_customer_values

RESULTS = Path(__file__).resolve().parent / "results" / "value_models.json"
#: Parameters of the simulation, in days (CDNOW-like purchasing, Online-Retail-like spend).
BG_NBD_TRUTH = {"r": 0.5, "alpha": 30.0, "a": 0.8, "b": 2.5}
GAMMA_GAMMA_TRUTH = {"p": 2.5, "q": 3.5, "gamma": 400.0}
#: First purchases are spread uniformly over this many days before the end of the period.
PERIOD_DAYS = 365


def simulate_summary(
    customers: int,
    rng: np.random.Generator,
    bg_nbd: dict[str, float] = BG_NBD_TRUTH,
    gamma_gamma: dict[str, float] = GAMMA_GAMMA_TRUTH,
    period_days: int = PERIOD_DAYS,
) -> pd.DataFrame:
    """int_customers_purchase_summary's columns drawn from BG/NBD and Gamma-Gamma.

    Each customer is observed for T ~ U(1, period) days after the first purchase, buys at
    rate lambda ~ Gamma(r, alpha) and leaves after the J-th repeat purchase, J ~
    Geometric(p), p ~ Beta(a, b). With N ~ Poisson(lambda T) purchases of the never-leaving
    process, x = min(N, J), and the x-th of N uniform purchase times on [0, T] is
    T Beta(x, N - x + 1). A repeat buyer's purchases are Gamma(p, nu), nu ~ Gamma(q, gamma),
    so their mean is Gamma(p x, nu x).
    """
    big_t = rng.uniform(1, period_days, customers).round()
    rate = rng.gamma(bg_nbd["r"], 1 / bg_nbd["alpha"], customers)
    dropout = rng.beta(bg_nbd["a"], bg_nbd["b"], customers)
    purchases = rng.poisson(rate * big_t)
    x = np.minimum(purchases, rng.geometric(dropout))
    repeat = x > 0
    t_x = np.zeros(customers)
    t_x[repeat] = big_t[repeat] * rng.beta(x[repeat], purchases[repeat] - x[repeat] + 1)
    nu = rng.gamma(gamma_gamma["q"], 1 / gamma_gamma["gamma"], customers)
    m_x = np.full(customers, np.nan)
    m_x[repeat] = rng.gamma(gamma_gamma["p"] * x[repeat], 1 / (nu[repeat] * x[repeat]))
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, customers + 1, dtype="int64"),
            "repeat_purchases": x.astype("int64"),
            "first_to_last_purchase_days": t_x,
            "first_purchase_to_period_end_days": big_t,
            "mean_repeat_purchase_value": m_x,
        }
    )


def bench_size(customers: int, seed: int = 42) -> dict:
    """Fit and predict ``customers`` simulated customers with the default settings."""
    summary = simulate_summary(customers, np.random.default_rng(seed))
    started = time.perf_counter()
    parameters = fit_value_models(summary, DEFAULT_VALUE_CONFIG)
    fitted = time.perf_counter()
    predictions = predict_customer_values(summary, parameters, DEFAULT_VALUE_CONFIG)
    predicted = time.perf_counter()
    truth = {**BG_NBD_TRUTH, **GAMMA_GAMMA_TRUTH}
    return {
        "customers": customers,
        "fit_customers": int(parameters["customers_used"].iloc[0]),
        "fit_seconds": round(fitted - started, 2),
        "predict_seconds": round(predicted - fitted, 2),
        "total_seconds": round(predicted - started, 2),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
        "statuses": sorted(set(parameters["status"])),
        "estimates": {
            row.parameter: {"estimate": round(row.estimate, 4), "truth": truth[row.parameter]}
            for row in parameters.itertuples()
        },
        "predicted_customers": int(predictions["p_alive"].notna().sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=RESULTS)
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    results = []
    for customers in options.customers:
        result = bench_size(customers)
        print(json.dumps(result))
        results.append(result)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
