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

from segmentation.dbt_runner import run_dbt_process

REPO_ROOT = Path(__file__).resolve().parents[2]

# The SQL half of the project (a selector of selectors.yml): customer marts and their parents.
SQL_MARTS = "sql_marts"


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
    selector: str | None = None,
    project_dir: Path = REPO_ROOT,
) -> DbtRun:
    """Runs `dbt <command>` with its state under work_dir; never raises on dbt failure.

    ``command`` may be several words (``"docs generate --static"``).
    """
    warehouse = work_dir / "warehouse.duckdb"
    target = work_dir / "target"
    args = [*command.split(), "--target-path", str(target)]
    args += ["--log-path", str(work_dir / "logs")]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if select:
        # cautious: a test runs only when all the models it touches are selected
        args += ["--select", *select.split(), "--indirect-selection", "cautious"]
    if selector:
        args += ["--selector", selector]  # named in selectors.yml
    completed = run_dbt_process(args, warehouse=warehouse, project_dir=project_dir, capture=True)
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, warehouse, target)


def work_environment(work: Path) -> dict[str, str]:
    """The environment of a `segmentation` command whose warehouse, target and logs are
    under work: the warehouse is work/warehouse/segmentation.duckdb."""
    return {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "warehouse" / "segmentation.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


def segmentation(work: Path, *args: str) -> subprocess.CompletedProcess:
    """`segmentation ARGS` in a subprocess, with the warehouse, target and logs under work."""
    return subprocess.run(
        [sys.executable, "-m", "segmentation.cli", *args],
        cwd=REPO_ROOT,
        env=work_environment(work),
        capture_output=True,
        text=True,
        check=False,
    )


def segmentation_run(data: Path, work: Path, *var: str) -> subprocess.CompletedProcess:
    """`segmentation run --data DATA` in a subprocess, warehouse, target and logs under work.

    The warehouse is work/warehouse/segmentation.duckdb; each ``var`` is a `name=value` pair.
    """
    args = ["run", "--data", str(data), "--no-report", "--no-download"]
    for pair in var:
        args += ["--var", pair]
    return segmentation(work, *args)
