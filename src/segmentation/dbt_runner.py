"""How this project calls dbt: the one place that sets dbt's environment.

The CLI, the Makefile (through `segmentation dbt ...`), the tests and the bench all start dbt
through these functions, so the profile, the project and the no-tracking settings cannot drift
between them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The dbt project (dbt_project.yml, profiles.yml) this package belongs to.
PROJECT_DIR = Path(__file__).resolve().parents[2]


def dbt_environment(
    warehouse: str | Path | None = None,
    *,
    project_dir: Path = PROJECT_DIR,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for a dbt process: this project and its profile, no usage tracking.

    ``warehouse`` sets the DuckDB file the profile writes (DBT_DUCKDB_PATH); without it the
    caller's setting, else the profile's default, applies. Tracking is off so that no run
    tries the network.
    """
    env = dict(os.environ if base is None else base)
    env["DBT_PROFILES_DIR"] = str(project_dir)
    env["DBT_PROJECT_DIR"] = str(project_dir)
    env["DO_NOT_TRACK"] = "1"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if warehouse is not None:
        env["DBT_DUCKDB_PATH"] = str(warehouse)
    return env


def dbt_executable() -> str:
    """dbt from the same environment as this interpreter, so the pinned version runs."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_command(args: Sequence[str]) -> list[str]:
    """The argument vector of `dbt <args>`."""
    return [dbt_executable(), *args]


def run_dbt_process(
    args: Sequence[str],
    *,
    warehouse: str | Path | None = None,
    project_dir: Path = PROJECT_DIR,
    capture: bool = False,
    pass_fds: Sequence[int] = (),
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in the project with its environment; never raises on dbt's failure.

    ``pass_fds`` stay open in dbt (the run lock, so that it outlives a killed parent).
    """
    return subprocess.run(
        dbt_command(args),
        cwd=project_dir,
        env=dbt_environment(warehouse, project_dir=project_dir),
        capture_output=capture,
        text=True,
        check=False,
        pass_fds=tuple(pass_fds),
    )
