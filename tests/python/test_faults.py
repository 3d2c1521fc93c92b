"""A build killed at any point leaves the published warehouse as it was; the next run succeeds.

`segmentation run` builds into a side file (``.segmentation.building.duckdb``) and renames it
over the warehouse only after dbt succeeded. Given a published warehouse built from file A,
when a build of file B is killed with SIGKILL at ten points (the whole process group, or only
the dbt child), then the published file is byte for byte what it was, opens read-only and
answers queries, no write-ahead log is left beside it; and a later run of B succeeds and
publishes B. A killed build that had already finished may have published B completely (the
rename is atomic); the test then requires B's marts exactly, never a mix.

A consumer reading the warehouse read-only sees the previous marts while a build runs, keeps
its snapshot through the rename, and a new connection sees the new marts.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from _dbt import REPO_ROOT, segmentation_run, work_environment
from test_determinism import mart_checksums

from segmentation.ingest.synthetic import generate

pytestmark = pytest.mark.slow

WAREHOUSE = Path("warehouse") / "segmentation.duckdb"
SIDE_FILE = Path("warehouse") / ".segmentation.building.duckdb"
_NODE_START = re.compile(r"\b(\d+) of (\d+) START\b")
# A build that has not reached its kill point by then is stuck: fail instead of hanging.
KILL_POINT_TIMEOUT = 600


class Build:
    """A `segmentation run` in its own process group, with a view of how far dbt got."""

    def __init__(self, data: Path, work: Path) -> None:
        self.work = work
        self.started = time.monotonic()
        self.started_at = time.time()
        # dbt appends to its log: only what this build writes counts
        log = work / "logs" / "dbt.log"
        self.log_offset = log.stat().st_size if log.exists() else 0
        args = [sys.executable, "-m", "segmentation.cli", "run", "--data", str(data)]
        # output to a file, not a pipe: nobody reads while the build runs, and a full pipe
        # would stop dbt before the kill point is reached
        self.output_path = work / f"build-{time.monotonic_ns()}.out"
        with self.output_path.open("wb") as output:
            self.process = subprocess.Popen(
                [*args, "--no-report"],
                cwd=REPO_ROOT,
                env=work_environment(work),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches dbt too
            )

    def output(self) -> str:
        """What the run printed so far (stdout and stderr)."""
        return self.output_path.read_bytes().decode(errors="replace")

    def log(self) -> str:
        path = self.work / "logs" / "dbt.log"
        if not path.exists():
            return ""
        with path.open("rb") as handle:
            handle.seek(self.log_offset)
            return handle.read().decode(errors="replace")

    def side_file_is_new(self) -> bool:
        """This build's side file exists (a killed build's leftover is older than us)."""
        try:
            return (self.work / SIDE_FILE).stat().st_mtime >= self.started_at
        except FileNotFoundError:
            return False

    def nodes_started(self) -> int:
        return max((int(m.group(1)) for m in _NODE_START.finditer(self.log())), default=0)

    def share_started(self) -> float:
        """How far dbt is: the highest node number started over the number of nodes."""
        counts = [(int(m.group(1)), int(m.group(2))) for m in _NODE_START.finditer(self.log())]
        return max((started / total for started, total in counts), default=0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def dbt_pid(self) -> int | None:
        """The dbt process the CLI started (its child), found through /proc."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended while we looked
            if int(fields[1]) == self.process.pid:
                return int(stat.parent.name)
        return None


# Ten kill points from the raw-file check to the moment dbt has finished: when the condition
# holds, SIGKILL goes to the process group ("group") or to the dbt child only ("dbt").
KILL_POINTS: dict[str, tuple[Callable[[Build], bool], str]] = {
    "resolving the raw file": (lambda b: b.elapsed() > 0.3, "group"),
    "dbt parsing": (lambda b: "Running with dbt" in b.log(), "group"),
    "side file created": (lambda b: b.side_file_is_new(), "group"),
    "seeds": (lambda b: b.nodes_started() >= 2, "group"),
    # later points as shares of dbt's nodes, so that adding or removing tests keeps them apart
    "staging and intermediate": (lambda b: b.share_started() >= 0.08, "group"),
    "dbt child only, mid-build": (lambda b: b.share_started() >= 0.19, "dbt"),
    "python models": (lambda b: b.share_started() >= 0.38, "group"),
    "marts": (lambda b: b.share_started() >= 0.63, "group"),
    "data tests": (lambda b: b.share_started() >= 0.84, "group"),
    "dbt finished": (lambda b: "Done. PASS=" in b.log(), "group"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_at(build: Build, condition: Callable[[Build], bool], target: str) -> str:
    """Waits for the condition, sends SIGKILL, reaps the build; returns its output."""
    while not condition(build):
        if build.process.poll() is not None:
            pytest.fail(
                f"build ended (code {build.process.returncode}) before the kill point:\n"
                f"{build.output()[-3000:]}"
            )
        if build.elapsed() > KILL_POINT_TIMEOUT:
            os.killpg(build.process.pid, signal.SIGKILL)
            pytest.fail(f"kill point not reached in {KILL_POINT_TIMEOUT} s:\n{build.log()[-3000:]}")
        time.sleep(0.05)
    if target == "dbt":
        pid = build.dbt_pid()
        assert pid is not None, "no dbt child to kill"
        os.kill(pid, signal.SIGKILL)
    else:
        os.killpg(build.process.pid, signal.SIGKILL)
    build.process.wait(timeout=120)
    if target == "group":
        assert build.process.returncode == -signal.SIGKILL
    return build.output()


def readable_marts(warehouse: Path) -> int:
    """Opens the warehouse read-only and counts customers, lines and audited rows."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        customers = connection.execute("select count(*) from marts.dim_customers").fetchone()[0]
        audited = connection.execute(
            "select sum(row_count) from marts.rpt_transaction_audit"
        ).fetchone()[0]
        segmented = connection.execute(
            "select count(distinct customer_id) from marts.dim_customer_segments"
        ).fetchone()[0]
    assert customers == segmented > 0
    return audited


@pytest.fixture(scope="module")
def raw_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("raw")
    first = generate(folder / "a.parquet", n_lines=2_000, n_customers=60, progress=False, seed=1)
    second = generate(folder / "b.parquet", n_lines=2_500, n_customers=70, progress=False, seed=2)
    return first, second


def test_sigkill_at_ten_points_leaves_the_published_warehouse_intact(raw_files, tmp_path):
    file_a, file_b = raw_files
    # given a warehouse published from file A
    first = segmentation_run(file_a, tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    published = tmp_path / WAREHOUSE
    published_bytes = sha256(published)
    published_marts = mart_checksums(published)
    assert readable_marts(published) == 2_000

    replaced_by_killed_build = None
    for point, (condition, target) in KILL_POINTS.items():
        # when a build of file B is killed at this point
        output = kill_at(Build(file_b, tmp_path), condition, target)
        # then the published warehouse is untouched, or (only once dbt had finished) wholly B
        if sha256(published) != published_bytes:
            assert point == "dbt finished", f"published warehouse changed after kill at {point}"
            replaced_by_killed_build = mart_checksums(published)
            continue
        assert readable_marts(published) == 2_000, point
        assert mart_checksums(published) == published_marts, point
        assert not published.with_name(published.name + ".wal").exists(), point
        if target == "dbt":
            # the CLI outlives its dbt child and says that nothing was published
            assert "The published warehouse" in output and "is unchanged" in output, output[-2000:]

    # and the next run succeeds from whatever the killed builds left behind
    after = segmentation_run(file_b, tmp_path)
    assert after.returncode == 0, after.stdout[-3000:] + after.stderr
    assert readable_marts(published) == 2_500
    assert not (tmp_path / SIDE_FILE).exists()
    if replaced_by_killed_build is not None:
        assert replaced_by_killed_build == mart_checksums(published)


def count_lines_in_another_process(warehouse: Path) -> int:
    """What a separate consumer process reads from a read-only connection, right now."""
    code = (
        "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select count(*) from marts.fct_invoice_lines').fetchone()[0])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(warehouse)], capture_output=True, text=True, check=True
    )
    return int(completed.stdout)


def test_reader_keeps_the_previous_marts_while_a_build_runs_and_is_published(raw_files, tmp_path):
    file_a, file_b = raw_files
    # given a published warehouse and a consumer holding a read-only connection to it
    assert segmentation_run(file_a, tmp_path).returncode == 0
    published = tmp_path / WAREHOUSE
    reader = duckdb.connect(str(published), read_only=True)
    count_lines = "select count(*) from marts.fct_invoice_lines"
    before = reader.execute(count_lines).fetchone()[0]
    # when a build of another file runs to completion, other consumers reading meanwhile
    build = Build(file_b, tmp_path)
    answers = []
    while build.process.poll() is None:
        answers.append(count_lines_in_another_process(published))
        time.sleep(0.5)
    assert build.process.returncode == 0, build.output()[-3000:]
    # then the connection opened before keeps its consistent snapshot of the old marts
    assert reader.execute(count_lines).fetchone()[0] == before
    reader.close()
    # and a new consumer sees the new marts; those reading during the build saw the old
    # ones, up to the rename at the very end and never a mix or an error
    after = count_lines_in_another_process(published)
    assert after != before
    assert len(answers) > 3 and answers[0] == before
    assert answers == sorted(answers, key=lambda n: n == after)
    assert set(answers) <= {before, after}
