"""Build the warehouse into a side file and publish it only when the whole build passed.

Readers holding the published file (read-only connections, the report) keep a complete,
consistent warehouse while a build runs, and a build that fails or is killed leaves the
previous warehouse as it was. When a build fails, the message says why from what the build
itself reported: the failed nodes of its run_results.json and the marts it did write.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.dbt_runner import PROJECT_DIR, run_dbt_process
from segmentation.run_lock import RunLock

DEFAULT_WAREHOUSE = "warehouse/segmentation.duckdb"
DEFAULT_TARGET = "target"
#: The schema of the dbt snapshots (snapshots/): the one state a build carries forward.
SNAPSHOT_SCHEMA = "snapshots"


@dataclass(frozen=True)
class FailedNode:
    """A node that dbt reported as failed (status error or fail) in run_results.json."""

    unique_id: str
    message: str

    @property
    def name(self) -> str:
        """``test not_null_dim_customers_customer_id``: the kind and name, without package."""
        kind, _package, *names = self.unique_id.split(".")
        if kind == "test" and len(names) > 1:
            names = names[:-1]  # a generic test's id ends in a hash of its arguments
        return f"{kind} {'.'.join(names)}"


class BuildFailed(Exception):
    """The build did not pass; the message says which node failed and, where it can, why."""


def warehouse_path() -> Path:
    """The DuckDB file dbt writes, as profiles.yml resolves it."""
    return Path(os.environ.get("DBT_DUCKDB_PATH", DEFAULT_WAREHOUSE))


def target_path() -> Path:
    """dbt's artifact folder (DBT_TARGET_PATH, else the project's `target`)."""
    return PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", DEFAULT_TARGET)


def side_file(published: Path) -> Path:
    """The file a build writes before it is published: `.<name>.building.duckdb` beside it."""
    return published.with_name(f".{published.stem}.building{published.suffix}")


def failed_nodes(run_results: Path) -> list[FailedNode]:
    """The nodes a dbt invocation reported as failed; none if it wrote no results."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        FailedNode(result["unique_id"], (result.get("message") or "").strip())
        for result in results
        if result.get("status") in ("error", "fail")
    ]


def build_and_publish(
    dbt_vars: dict,
    lock: RunLock,
    *,
    from_published: bool = False,
    before_publish: Callable[[Path], None] | None = None,
) -> Path:
    """`dbt build` into a side file, then rename it over the warehouse in one step.

    The caller holds the warehouse's run ``lock`` (segmentation.run_lock), so a side file
    found here is a killed run's leftover; dbt inherits the lock. Raises BuildFailed, with
    the reason, when the build does not pass.

    ``from_published``: a daily run, whose side file starts as a copy of the published
    warehouse (its incremental tables, manifest and snapshots), instead of an empty file
    with the snapshots only. ``before_publish`` is called with the side file once the build
    passed (the manifest of loaded files is written there).
    """
    published = warehouse_path()
    building = side_file(published)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    target = target_path()
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)  # a killed build must not be explained by an old one

    building.parent.mkdir(parents=True, exist_ok=True)
    if from_published:
        copy_published(published, building)
    else:
        carry_forward_snapshots(published, building)
    args = ["build", "--vars", json.dumps(dbt_vars), "--target-path", str(target)]
    if from_published:
        # unit tests check the models' SQL on made-up rows, not the data: the full builds
        # and `make test` run them; in a daily run the incremental branch has no fixtures
        args += ["--exclude-resource-type", "unit_test"]
    returncode = run_dbt_process(args, warehouse=building, pass_fds=(lock.fd,)).returncode
    if returncode != 0:
        failures = failed_nodes(run_results)
        summary = describe_failure(returncode, failures)
        explanation = explain_failed_build(building, dbt_vars)
        reason = f"{explanation}\n{summary}" if explanation else summary
        raise BuildFailed(f"{reason} The published warehouse is unchanged.")

    if before_publish is not None:
        before_publish(building)
    with duckdb.connect(str(building)) as connection:
        connection.execute("checkpoint")  # everything in the file, no write-ahead log left
    # a log beside the published file belongs to the old file and must not be replayed
    published.with_name(published.name + ".wal").unlink(missing_ok=True)
    # a rename of the finished file, not a write: atomic.atomic_path is for writing files
    os.replace(building, published)
    return published


def read_manifest(published: Path):
    """The manifest of loaded raw files of the published warehouse and the settings they
    were loaded with (ingest.folder.read_manifest); None without a warehouse or manifest."""
    from segmentation.ingest.folder import read_manifest as read

    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as connection:
            return read(connection)
    except duckdb.Error as error:
        raise BuildFailed(
            f"Could not read the manifest of loaded files of {published} ({error})."
        ) from error


def copy_published(published: Path, building: Path) -> None:
    """Start the side file as a byte copy of the published warehouse (a daily run).

    A copy of the file moves its compressed blocks as they are; copying the line-level
    tables into an empty file would decompress and compress every line again.
    """
    try:
        shutil.copyfile(published, building)
    except OSError as error:
        from segmentation.ingest.folder import FULL_REFRESH_HINT

        raise BuildFailed(
            f"Could not copy {published} to start a daily run ({error}). {FULL_REFRESH_HINT}"
        ) from error


def carry_forward_snapshots(published: Path, building: Path) -> list[str]:
    """Copy the published warehouse's snapshot tables into the side file before dbt runs.

    Everything else is rebuilt from the raw file; a snapshot is the history of earlier
    builds, which dbt extends only where it finds it. Returns the tables copied.
    """
    if not published.exists():
        return []
    quoted = str(published).replace("'", "''")
    try:
        with duckdb.connect(str(building)) as connection:
            connection.execute(f"attach '{quoted}' as published (read_only)")
            tables = [
                name
                for (name,) in connection.execute(
                    "select table_name from information_schema.tables"
                    " where table_catalog = 'published' and table_schema = ?",
                    [SNAPSHOT_SCHEMA],
                ).fetchall()
            ]
            if tables:
                connection.execute(f"create schema {SNAPSHOT_SCHEMA}")
            for name in tables:
                relation = f'{SNAPSHOT_SCHEMA}."{name}"'
                connection.execute(f"create table {relation} as select * from published.{relation}")
            connection.execute("detach published")
    except duckdb.Error as error:
        raise BuildFailed(
            f"Could not carry the snapshots of {published} forward ({error}). Move that file"
            " away to start a new warehouse, or restore it from a backup."
        ) from error
    return tables


def describe_failure(returncode: int, failures: Sequence[FailedNode]) -> str:
    """What dbt reported: the failed nodes and their messages, or where to look."""
    if not failures:
        return (
            f"`dbt build` failed (exit code {returncode}); its log above says which model or test."
        )
    shown = "; ".join(f"{node.name}: {node.message}" for node in failures[:3])
    more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
    return (
        f"`dbt build` failed (exit code {returncode}) at {shown}{more}. Its log above has "
        "the details."
    )


def _fetch(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple] | None:
    """Rows of a query over the side file's marts; None when the mart was not built."""
    try:
        return connection.execute(sql).fetchall()
    except duckdb.Error:
        return None


def explain_failed_build(building: Path, dbt_vars: dict) -> str | None:
    """Why a build failed, in the data's terms, when the data leaves nothing to segment.

    A file whose lines are all rejected (only cancellations, say) or an as-of date before
    every purchase makes the RFM thresholds empty and a dbt test fail with a message about
    percentiles. The marts the build wrote before that (the audit of outcomes, the valid
    lines, the customers) say instead how many lines got which outcome and why, or where
    the purchases lie against the as-of date. Returns None when the failure lies elsewhere.
    """
    if not building.exists():
        return None
    try:
        connection = duckdb.connect(str(building), read_only=True)
    except duckdb.Error:
        return None
    with connection:
        audit = _fetch(
            connection,
            "select outcome, row_count, is_rejected, outcome_description "
            "from marts.rpt_transaction_audit order by row_count desc, outcome",
        )
        purchases = _fetch(
            connection, "select min(invoiced_at), max(invoiced_at) from marts.fct_invoice_lines"
        )
        customers = _fetch(
            connection,
            "select count(*), count(distinct (recency_days, frequency, monetary)) "
            "from marts.dim_customers",
        )
    raw_file = dbt_vars.get("raw_data_path", "the raw file")
    if audit is not None:
        explanation = _nothing_kept(audit, raw_file)
        if explanation:
            return explanation
    if purchases is not None:
        explanation = _as_of_before_purchases(purchases[0], dbt_vars, raw_file)
        if explanation:
            return explanation
    if customers is not None:
        return _too_few_profiles(customers[0], raw_file)
    return None


def _nothing_kept(audit: list[tuple], raw_file: str) -> str | None:
    """Every line rejected: the counts per outcome, the reason of each, what is kept."""
    kept = [(outcome, description) for outcome, _, rejected, description in audit if not rejected]
    if any(count for _, count, rejected, _ in audit if not rejected):
        return None
    found = [(outcome, count, description) for outcome, count, _, description in audit if count]
    counts = ", ".join(f"{outcome} {count:,}" for outcome, count, _ in found)
    reasons = "".join(f"\n  {outcome}: {description}" for outcome, _, description in found)
    expected = "; ".join(f"{outcome} ({description})" for outcome, description in kept)
    return (
        f"No valid purchase line in {raw_file}: every line was rejected ({counts}), so "
        f"there is no customer to segment.{reasons}\nExpected at least one line that is "
        f"{expected}."
    )


def _as_of_before_purchases(
    purchases: tuple[dt.datetime | None, dt.datetime | None], dbt_vars: dict, raw_file: str
) -> str | None:
    first, last = purchases
    as_of = dbt_vars.get("rfm_as_of_date")
    if first is None or not as_of or dt.date.fromisoformat(str(as_of)) > first.date():
        return None
    return (
        f"rfm_as_of_date {as_of} is on or before the first valid purchase in {raw_file} "
        f"({first:%Y-%m-%d}; the last is {last:%Y-%m-%d}), so no customer has a purchase "
        "to measure. Expected an as-of date after the first purchase, or none (the day "
        "after the last purchase)."
    )


def _too_few_profiles(customers: tuple[int, int], raw_file: str) -> str | None:
    # fewer distinct customers than k lowers k (rpt_cluster_model_selection.selection_note);
    # below 3 distinct customers there is nothing to cluster at all
    count, profiles = customers
    if not count or profiles >= 3:
        return None
    return (
        f"Only {count} customer(s) with {profiles} distinct RFM profile(s) in {raw_file}: "
        "clustering needs at least 3 customers whose recency, frequency and monetary "
        "value are not all alike. Give more data."
    )
