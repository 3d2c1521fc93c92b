"""The dbt vars of a run: their defaults, the `--var` pairs a user gives, and their checks.

Defaults live in one place, the `vars:` block of dbt_project.yml; Python reads them from
there (``project_vars``) instead of keeping copies.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from segmentation.dbt_runner import PROJECT_DIR


class VarError(ValueError):
    """A var value the models cannot take; the message says what was expected."""


def project_vars(project_dir: Path = PROJECT_DIR) -> dict:
    """The `vars:` block of dbt_project.yml (the single place where defaults live)."""
    with open(project_dir / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle).get("vars", {})


def parse_vars(pairs: list[str]) -> dict:
    """`--var name=value` pairs; values are parsed as YAML (so `true`, `4`, `auto` work)."""
    parsed = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise VarError(f"--var expects name=value, got {pair!r}")
        try:
            parsed[name.strip()] = yaml.safe_load(value)
        except (yaml.YAMLError, ValueError):
            # YAML cannot read it (say 2011-13-45, a date-shaped impossible date): keep the
            # text, and let check_vars or dbt say what the var expects
            parsed[name.strip()] = value
    return parsed


# Vars that land in SQL as date literals (the RFM as-of date, the last day a line may carry).
DATE_VARS = ("rfm_as_of_date", "latest_valid_date", "backtest_cutoff_date")


def check_vars(dbt_vars: dict) -> dict:
    """Refuse var values that are not what the models expect, before dbt renders them.

    Each of ``DATE_VARS`` lands in SQL as a date literal, so it must be an ISO date;
    anything else (a typo, or text trying to close the literal) stops here with a message.
    """
    for name in DATE_VARS:
        value = dbt_vars.get(name)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        try:
            parsed = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise VarError(
                f"{name} must be a date written YYYY-MM-DD (or null), got {value!r}."
            ) from None
        dbt_vars = {**dbt_vars, name: parsed.isoformat()}
    return dbt_vars


def raw_data_vars(resolved) -> dict:
    """The dbt vars that point the source at a resolved raw file (ingest.ResolvedRawFile)."""
    return {
        "raw_data_path": str(Path(resolved.path).resolve()),
        "raw_csv_encoding": resolved.encoding,
        "raw_csv_delimiter": resolved.delimiter,
    }
