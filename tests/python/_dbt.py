"""Runs dbt, or the `segmentation run` command, on this project into a throw-away warehouse.

Each call gets its own warehouse file, target and log folders, so tests never share state
with each other or with `make run`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))

# The SQL half of the project: everything the marts of the foundation need.
SQL_MARTS = (
    "+fct_invoice_lines +rpt_transaction_audit +dim_customers +rpt_monthly_revenue "
    "+rpt_rfm_score_thresholds rfm_segments"
)


@dataclass
class DbtRun:
    returncode: int
    output: str
    warehouse: Path
    target: Path

    def results(self) -> list[dict]:
        with open(self.target / "run_results.json", encoding="utf-8") as handle:
            return json.load(handle)["results"]

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.sql(sql).fetchall()


def dbt(
    command: str,
    work_dir: Path,
    dbt_vars: dict | None = None,
    select: str | None = None,
    project_dir: Path = REPO_ROOT,
) -> DbtRun:
    """Runs `dbt <command>` with its state under work_dir; never raises on dbt failure.

    ``command`` may be several words (``"docs generate --static"``).
    """
    warehouse = work_dir / "warehouse.duckdb"
    target = work_dir / "target"
    args = [DBT, *command.split(), "--target-path", str(target)]
    args += ["--log-path", str(work_dir / "logs")]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if select:
        # cautious: a test runs only when all the models it touches are selected
        args += ["--select", *select.split(), "--indirect-selection", "cautious"]
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_PROJECT_DIR": str(project_dir),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        args, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, warehouse, target)


def segmentation_run(data: Path, work: Path, *var: str) -> subprocess.CompletedProcess:
    """`segmentation run --data DATA` in a subprocess, warehouse, target and logs under work.

    The warehouse is work/warehouse/segmentation.duckdb; each ``var`` is a `name=value` pair.
    """
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "warehouse" / "segmentation.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    args = ["run", "--data", str(data), "--no-report", "--no-download"]
    for pair in var:
        args += ["--var", pair]
    return subprocess.run(
        [sys.executable, "-m", "segmentation.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
