"""The value-model bench's simulation: purchase summaries drawn from BG/NBD and Gamma-Gamma.

Given a summary simulated with known parameters, when the project fits it, then it recovers
them (so the bench times the fit on data the models describe), and the summary obeys the
rules of int_customers_purchase_summary.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import run
from value_models import BG_NBD_TRUTH, GAMMA_GAMMA_TRUTH, bench_size, main, simulate_summary

from segmentation.value import fit_value_models


def test_simulated_summary_follows_the_summary_rules():
    frame = simulate_summary(5000, np.random.default_rng(1))
    x = frame["repeat_purchases"]
    t_x = frame["first_to_last_purchase_days"]
    big_t = frame["first_purchase_to_period_end_days"]
    assert (x >= 0).all() and (t_x >= 0).all() and (t_x <= big_t).all()
    assert ((x == 0) == (t_x == 0)).all()
    assert ((x == 0) == frame["mean_repeat_purchase_value"].isna()).all()
    assert (frame["mean_repeat_purchase_value"].dropna() > 0).all()
    assert frame["customer_id"].is_unique


def test_the_fit_recovers_the_simulated_parameters():
    # given 30,000 customers simulated from known parameters
    frame = simulate_summary(30_000, np.random.default_rng(2))
    # when both models are fitted
    table = fit_value_models(frame)
    # then both converged near the truth
    assert set(table["status"]) == {"converged"}
    estimates = dict(zip(table["parameter"], table["estimate"], strict=True))
    for name, truth in {**BG_NBD_TRUTH, **GAMMA_GAMMA_TRUTH}.items():
        assert estimates[name] == pytest.approx(truth, rel=0.15), name


def test_bench_reports_the_sample_and_predicts_everyone():
    result = bench_size(3000, seed=3)
    assert result["fit_customers"] == 3000 and result["predicted_customers"] == 3000
    assert result["statuses"] == ["converged"]
    assert result["fit_seconds"] > 0 and result["predict_seconds"] > 0


def test_bench_writes_its_results_and_benchmarks_md_shows_them(tmp_path):
    # given a bench run at two small sizes
    out = tmp_path / run.VALUE_MODELS_RESULT
    assert main(["--customers", "500", "800", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    # when BENCHMARKS.md's section is rendered from them
    section = run._value_models_section(out)
    # then it has one row per size with its times
    assert [row["customers"] for row in results] == [500, 800]
    assert section[0] == "## Value models: fit and predictions"
    rows = [line for line in section if line.startswith("| 5") or line.startswith("| 8")]
    assert len(rows) == 2 and f"{results[1]['fit_seconds']:.1f} s" in rows[1]
    # and without results the section is left out
    assert run._value_models_section(tmp_path / "absent.json") == []
