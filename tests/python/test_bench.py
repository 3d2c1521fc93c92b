"""The benchmark's own code: the three pipelines agree on RFM, and the runner survives failure.

Given a small synthetic file from the project's generator, when the floor query, the notebook
pipeline and the project's dbt build each compute RFM, then they give the same recency,
frequency and monetary per customer (the notebook keeps non-product lines, as the published
figures do, so it is compared with a build that keeps them too). Given a child that fails,
sleeps past its time limit or grows past its memory cap, when the runner measures it, then
it records `failed`, `timeout` or `memory` instead of raising.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import notebook_pipeline as notebook
import pandas as pd
import pytest
import run
from _dbt import REPO_ROOT, SQL_MARTS, dbt

from segmentation.ingest.synthetic import generate

RFM_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary"]


@pytest.fixture(scope="module")
def small_raw_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "synthetic_20k.parquet"
    return generate(path, n_lines=20_000, n_customers=300, seed=7, progress=False)


def _dim_customers_rfm(work: Path, raw_file: Path, **dbt_vars) -> pd.DataFrame:
    built = dbt("build", work, {"raw_data_path": str(raw_file), **dbt_vars}, selector=SQL_MARTS)
    assert built.returncode == 0, built.output
    rows = built.query(
        "select customer_id, recency_days, frequency, monetary from marts.dim_customers"
    )
    return _sorted(pd.DataFrame(rows, columns=RFM_COLUMNS))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[RFM_COLUMNS].astype(
        {"customer_id": "int64", "recency_days": "int64", "frequency": "int64"}
    )
    return frame.sort_values("customer_id").reset_index(drop=True)


@pytest.mark.slow
def test_floor_query_gives_the_rfm_of_dim_customers(small_raw_file, tmp_path):
    expected = _dim_customers_rfm(tmp_path, small_raw_file)

    floor = run.floor_query(small_raw_file).execute("select * from customer_rfm").df()

    assert len(expected) > 100
    pd.testing.assert_frame_equal(_sorted(floor), expected, check_exact=False, atol=0.0101)


@pytest.mark.slow
def test_notebook_rfm_equals_dim_customers_with_non_product_lines_kept(small_raw_file, tmp_path):
    expected = _dim_customers_rfm(tmp_path, small_raw_file, reject_non_product_stock_codes=False)
    cleaned = notebook.clean(notebook.read_raw(small_raw_file))

    rfm = notebook.rfm_table(cleaned).reset_index()
    rfm.columns = RFM_COLUMNS
    rfm["monetary"] = rfm["monetary"].round(2)

    assert len(expected) > 100
    pd.testing.assert_frame_equal(_sorted(rfm), expected, check_exact=False, atol=0.0101)


def test_notebook_runs_every_stage_on_a_small_file(small_raw_file, capsys):
    timings = notebook.run(small_raw_file)

    assert list(timings) == [
        "read", "clean", "rfm", "scale", "kmeans_sweep_with_silhouette", "kmeans", "ward", "gmm",
    ]  # fmt: skip
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["stage"] for record in printed] == list(timings)


def test_floor_query_drops_guests_cancellations_and_copies(tmp_path):
    raw = tmp_path / "tiny.parquet"
    line = ("536365", "85123A", "HEART", 6, "2010-12-01 08:26:00", 2.5, 17850, "United Kingdom")
    rows = [
        line,
        line,  # an exact copy counts once
        ("C536366", "85123A", "HEART", -6, "2010-12-02 08:26:00", 2.5, 17850, "United Kingdom"),
        ("536367", "85123A", "HEART", 6, "2010-12-03 08:26:00", 2.5, None, "United Kingdom"),
        ("536368", "POST", "POSTAGE", 1, "2010-12-04 08:26:00", 18.0, 17850, "United Kingdom"),
        ("536369", "22633", "WARMER", 2, "2010-12-05 09:00:00", 1.5, 12583, "France"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "InvoiceNo", "StockCode", "Description", "Quantity",
            "InvoiceDate", "UnitPrice", "CustomerID", "Country",
        ],
    )  # fmt: skip
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    frame["CustomerID"] = frame["CustomerID"].astype("Int64")
    frame.to_parquet(raw, index=False)

    result = run.floor_query(raw).execute("select * from customer_rfm order by 1").fetchall()

    # as of 2010-12-06, the day after the last valid purchase
    assert result == [(12583, 1, 1, 3.0), (17850, 5, 1, 15.0)]


def test_runner_records_a_crash_instead_of_raising(tmp_path):
    crashed = run.measure(
        [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], tmp_path / "crash.log"
    )

    assert crashed.status == "failed"
    assert crashed.returncode == 3
    assert "boom" in crashed.detail


def test_runner_kills_a_child_at_its_time_limit(tmp_path):
    slow = run.measure(
        [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "slow.log", time_limit=1
    )

    assert slow.status == "timeout"
    assert slow.wall_seconds < 30


def test_runner_kills_a_child_above_its_memory_cap(tmp_path):
    grow = (
        "import time\nblocks = []\n"
        "while True:\n    blocks.append(bytearray(50_000_000))\n    time.sleep(0.05)\n"
    )

    greedy = run.measure(
        [sys.executable, "-c", grow], tmp_path / "greedy.log", memory_limit_bytes=300_000_000,
        time_limit=60,
    )  # fmt: skip

    assert greedy.status == "memory"
    assert greedy.peak_rss_bytes > 300_000_000


def test_runner_measures_a_successful_child(tmp_path):
    done = run.measure(
        [sys.executable, "-c", "x = bytearray(200_000_000); x[::4096] = b'1' * len(x[::4096])"],
        tmp_path / "ok.log",
    )

    assert done.status == "ok"
    assert done.peak_rss_bytes > 200_000_000


def test_report_says_where_the_notebook_did_not_finish(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "RESULTS_DIR", tmp_path)
    machine = {
        "cpu": "test cpu", "cores": 2, "memory_bytes": 24 * run.GB, "os": "Linux",
        "versions": {"python": "3.11"}, "load_average_at_start": [0.1, 0.2, 0.3],
        "calibration": None,
    }  # fmt: skip
    (tmp_path / "machine.json").write_text(json.dumps(machine))
    ok = run.Measurement("ok", wall_seconds=40.0, peak_rss_bytes=2 * run.GB)
    ok.extra = {"parse_seconds": 9.0, "rfm_stage_seconds": 12.0, "selection": "everything"}
    killed = run.Measurement("memory", wall_seconds=95.0, detail="killed above the memory cap")
    killed.extra = {"stages": {"read": 80.0}}
    floor = run.Measurement("ok", wall_seconds=6.0)
    tier = {
        "tier": {"name": "100m"}, "lines": 100_000_000, "customers": 1_000_000,
        "dbt": ok.__dict__, "floor": floor.__dict__, "notebook": killed.__dict__,
    }  # fmt: skip
    (tmp_path / "100m.json").write_text(json.dumps(tier))

    report = run.render_report(tmp_path)

    assert "**memory** after 95 s" in report
    assert "notebook did not finish" in report
    assert "2.00×" in report  # RFM stage 12 s against a 6 s floor
    assert "0.40" in report  # 40 s per 100M lines


def test_floor_sql_is_one_statement():
    statements = duckdb.extract_statements((REPO_ROOT / "bench" / "floor.sql").read_text())

    assert len(statements) == 1


def test_floor_repeats_and_keeps_the_fastest_run(tmp_path, monkeypatch):
    # given a floor whose three runs take 3, 1 and 2 seconds
    walls = iter([3.0, 1.0, 2.0])
    monkeypatch.setattr(
        run, "measure", lambda *args, **kwargs: run.Measurement("ok", wall_seconds=next(walls))
    )
    # when it is measured with three repeats
    fastest = run.run_floor(tmp_path / "raw.parquet", tmp_path, {}, repeats=3)
    # then the fastest run counts and every run is kept as a sample
    assert fastest.wall_seconds == 1.0
    assert fastest.extra["samples"] == [3.0, 1.0, 2.0]


def test_floor_repeats_stop_at_the_first_failed_run(tmp_path, monkeypatch):
    # given a floor whose second run crashes
    outcomes = iter([run.Measurement("ok", wall_seconds=1.0), run.Measurement("failed")])
    monkeypatch.setattr(run, "measure", lambda *args, **kwargs: next(outcomes))
    # then the failure is the result, not the faster successful run
    assert run.run_floor(tmp_path / "raw.parquet", tmp_path, {}, repeats=3).status == "failed"


def test_report_renders_every_section_from_a_full_result_set(tmp_path):
    # given a machine with calibration rows, a measured tier, a generated one and a skipped one
    machine = {
        "cpu": "test cpu", "cores": 2, "memory_bytes": 24 * run.GB, "os": "Linux",
        "versions": {"python": "3.11"}, "load_average_at_start": [0.9, 0.95, 1.0],
        "calibration": [
            {"statistic": "n_lines", "real": 541909, "synthetic": 541909, "ratio": 1.0},
            {"statistic": "first_day", "real": "2010-12-01", "synthetic": "2010-12-01",
             "ratio": None},
        ],
    }  # fmt: skip
    dbt = run.Measurement("ok", wall_seconds=18.1, peak_rss_bytes=run.GB, started="T1")
    dbt.extra = {
        "parse_seconds": 5.9, "selection": "everything", "rfm_stage_seconds": 0.87,
        "rfm_stage_seconds_in_build": 0.91, "rfm_stage_samples": [0.89, 0.87],
        "rfm_stage_models": {"int_invoice_line_copies": 0.36},
        "statuses": {"success": 1, "pass": 1},
        "nodes": {
            "model.p.int_invoice_line_copies": {"status": "success", "seconds": 0.37},
            "test.p.unique_x": {"status": "pass", "seconds": 2.5},
        },
    }  # fmt: skip
    floor = run.Measurement("ok", wall_seconds=0.4, started="T2")
    floor.extra = {"samples": [0.49, 0.4]}
    notebook_run = run.Measurement("ok", wall_seconds=5.9, started="")
    notebook_run.extra = {"stages": {"read": 0.3, "clean": 0.5}}
    generation = run.Measurement("ok", wall_seconds=20.1, peak_rss_bytes=run.GB // 2)
    tiers = {
        "real": {
            "tier": {"name": "real"}, "lines": 541_909, "customers": 4_372,
            "dbt": dbt.__dict__, "floor": floor.__dict__, "notebook": notebook_run.__dict__,
        },
        "10m": {
            "tier": {"name": "10m"}, "lines": 10_000_000, "customers": 99_914,
            "generation": generation.__dict__, "raw_file_bytes": 65_000_000,
        },
        "100m": {"tier": {"name": "100m"}, "skipped": "raw file unavailable"},
    }  # fmt: skip
    (tmp_path / "machine.json").write_text(json.dumps(machine))
    for name, tier in tiers.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(tier))
    # when the report is rendered
    report = run.render_report(tmp_path)
    # then every section appears once, in order, with its figures
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings == [
        "# Benchmarks",
        "## Per tier",
        "## How time grows with lines",
        "## The RFM stage and the floor, run by run",
        "## When each pipeline ran",
        "## The notebook, stage by stage",
        "## dbt build, per model",
        "## Calibration: real file vs synthetic at the same size",
        "## Generating the synthetic tiers",
    ]
    expected_lines = [
        "| real | 541,909 | 4,372 | 18.1 s | 5.9 s | 1.00 GB | 0.4 s | 0.00 GB | 5.9 s "
        "| 0.00 GB | 3.07× | 2.17× |",
        "| 100m | | | skipped: raw file unavailable |||||||||",
        "| real | 541,909 | 18.1 | 33.40 | 0.4 s | 5.9 s |",
        "- real: RFM stage alone 0.89, 0.87 s (fastest: int_invoice_line_copies 0.36 s); "
        "inside the build 0.91 s; floor 0.49, 0.40 s",
        "- real: dbt T1, floor T2, notebook in an earlier run (not time-stamped)",
        "- real: ok; stages done: read 0.3 s, clean 0.5 s",
        "- real (everything; pass 1, success 1; tests, unit tests and seeds 2.5 s in all): "
        "int_invoice_line_copies 0.37 s",
        "| n_lines | 541,909 | 541,909 | 1.000 |",
        "| first_day | 2010-12-01 | 2010-12-01 |  |",
        "- 10m: 20.1 s, peak 0.50 GB, 65 MB of Parquet",
    ]
    assert [line for line in expected_lines if line not in report.splitlines()] == []
    assert report.endswith("MB of Parquet\n")


def test_runner_starts_as_a_script():
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "run.py"), "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "--report-only" in done.stdout


def test_daily_tier_times_a_daily_run_against_a_full_build(tmp_path, monkeypatch):
    # given a small history as monthly files plus its last day's file
    monkeypatch.setattr(run, "RESULTS_DIR", tmp_path / "results")
    options = argparse.Namespace(
        time_limit=600.0, memory_cap_gb=8.0, data_dir=tmp_path / "data", delete_data=True
    )
    (tmp_path / "data").mkdir()

    result = run.run_daily(20_000, 300, options)

    # then the history, the daily run and the full refresh all pass, and the report says so
    assert [result[step]["status"] for step in ("history", "daily", "full")] == ["ok"] * 3
    assert result["history_files"] >= 11 and result["day_file"].endswith(".parquet")
    assert 0 < result["daily_share_of_full"] < 10
    assert "daily run" in Path(result["daily"]["log"]).read_text()
    assert "full build" in Path(result["full"]["log"]).read_text()
    assert json.loads((tmp_path / "results" / "daily_20000.json").read_text()) == result
    section = run._daily_lines(tmp_path / "results")
    assert section[0] == "## Daily runs"
    assert section[-1].startswith("| 20,000 | ")


@pytest.mark.parametrize(
    ("tier", "flags", "runs_notebook"),
    [("real", [], True), ("10m", [], False), ("10m", ["--notebook-at-scale"], True)],
)
def test_the_notebook_runs_at_scale_only_when_asked(
    tier, flags, runs_notebook, tmp_path, monkeypatch
):
    # given a bench whose pipelines only record that they ran
    monkeypatch.setattr(run, "RESULTS_DIR", tmp_path)
    raw = tmp_path / "raw.parquet"
    raw.write_bytes(b"PAR1")  # read for its size only; the line counts are stubbed
    monkeypatch.setattr(run, "tier_file", lambda *args: (raw, None))
    monkeypatch.setattr(run, "_file_counts", lambda path: (1, 1))
    ran = []
    for name in ("run_dbt", "run_floor", "run_notebook"):
        monkeypatch.setattr(
            run, name, lambda *args, name=name, **kwargs: ran.append(name) or run.Measurement("ok")
        )
    options = run.argument_parser().parse_args(["--tiers", tier, *flags])
    # when the tier runs with the default options (plus the flag)
    result = run.run_tier(run.TIERS[tier], options)
    # then the notebook runs on the real file always, on a synthetic tier only when asked
    assert ("run_notebook" in ran) is runs_notebook
    assert ("notebook" in result) is runs_notebook
    assert ran[:2] == ["run_dbt", "run_floor"]
