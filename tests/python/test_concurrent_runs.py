"""Two runs of one warehouse at once: the second waits or refuses, none is lost, no traceback.

`segmentation run` holds the warehouse's run lock (segmentation.run_lock) from before it
touches anything until it ends. Given a lock held by another process, a run refuses with exit
code 2 and one line naming that process, or, with --wait, says whom it waits for and goes on
when the lock is free; a lock left by a killed process is taken over with a message, and one
held by a process the killed run started is not. The slow tests start real `segmentation run`
processes in one work folder (together; or one SIGKILLed mid-build), run the readers (export,
report, dbt docs) meanwhile, and require the published warehouse to equal a single build of
the same input and no output to hold a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from _dbt import REPO_ROOT, segmentation, work_environment
from test_determinism import mart_checksums
from test_faults import Build

from segmentation import run_lock
from segmentation.cli import main
from segmentation.ingest.synthetic import generate

WAREHOUSE = Path("warehouse") / "segmentation.duckdb"
SIDE_FILE = Path("warehouse") / ".segmentation.building.duckdb"
LOCK_FILE = Path("warehouse") / ".segmentation.lock"

# A process that takes the lock of the warehouse argv[1], prints the PID of a child it
# started with the lock ("child") or 0, and holds the lock until its stdin closes.
HOLDER = """
import subprocess, sys
from pathlib import Path
from segmentation import run_lock
lock = run_lock.acquire(Path(sys.argv[1]))
child = None
if sys.argv[2] == "child":
    child = subprocess.Popen(["sleep", "120"], pass_fds=(lock.fd,))
print(child.pid if child else 0, flush=True)
sys.stdin.readline()
lock.release()
"""


class Holder:
    """Another process holding the run lock of ``warehouse`` (a run, as far as the lock goes)."""

    def __init__(self, warehouse: Path, with_child: bool = False) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(warehouse), "child" if with_child else "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.child_pid = int(self.process.stdout.readline())  # the lock is held from here on
        self.pid = self.process.pid

    def release(self) -> None:
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def named_holder(lock_path: Path) -> int | None:
    holder = run_lock.Holder.from_text(lock_path.read_text())
    return holder and holder.pid


# ---------------------------------------------------------------------------------------------
# The lock, against real processes holding it


def test_run_refuses_in_one_line_and_touches_nothing_while_another_run_holds_the_lock(
    tmp_path, monkeypatch, capsys
):
    # given another run holding the lock, with its side file half written
    published = tmp_path / WAREHOUSE
    holder = Holder(published)
    side_file = tmp_path / SIDE_FILE
    side_file.write_bytes(b"another run's build")
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(published))
    try:
        # when a run of the same warehouse starts (its raw file does not even exist)
        code = main(["run", "--data", str(tmp_path / "absent.parquet"), "--no-report"])
    finally:
        holder.release()
    out, err = capsys.readouterr()
    # then it exits with 2 and one line naming the running process and its start time
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: another run is building"), err
    assert f"PID {holder.pid} on " in err and ", started " in err and "--wait SECONDS" in err
    # and it touched nothing: no raw file looked at, the other run's side file as it was
    assert out == ""
    assert side_file.read_bytes() == b"another run's build"


def test_waiting_run_says_whom_it_waits_for_and_goes_on_when_the_lock_is_released(tmp_path):
    # given another run holding the lock, which ends in a second
    published = tmp_path / WAREHOUSE
    holder = Holder(published)
    threading.Timer(1.0, holder.release).start()
    messages = []
    # when a run waits up to a minute for it
    started = time.monotonic()
    with run_lock.acquire(published, wait_seconds=60, say=messages.append):
        waited = time.monotonic() - started
        # then it said once whom it waits for, took the lock when it was released, and the
        # lock file names it
        assert len(messages) == 1
        assert messages[0].startswith(f"Waiting up to 60 s for the run building {published}: ")
        assert f"PID {holder.pid} on " in messages[0]
        assert 0.9 <= waited < 30
        assert named_holder(tmp_path / LOCK_FILE) == os.getpid()
    # and a run that ends normally leaves nothing to take over
    assert (tmp_path / LOCK_FILE).read_text() == ""


def test_wait_ends_with_the_holder_named_when_it_does_not_finish(tmp_path):
    # given another run holding the lock throughout
    published = tmp_path / WAREHOUSE
    holder = Holder(published)
    try:
        # when a run waits half a second for it
        started = time.monotonic()
        with pytest.raises(run_lock.LockNotTaken) as refused:
            run_lock.acquire(published, wait_seconds=0.5, say=lambda message: None)
        waited = time.monotonic() - started
    finally:
        holder.release()
    # then it gives up after that time, naming the holder
    assert 0.5 <= waited < 10
    assert "still building" in str(refused.value) and "after waiting" in str(refused.value)
    assert f"PID {holder.pid} on " in str(refused.value)


def test_lock_of_a_killed_run_is_taken_over_with_a_message(tmp_path):
    # given a run SIGKILLed while it held the lock: its lock file still names it
    published = tmp_path / WAREHOUSE
    holder = Holder(published)
    holder.kill()
    assert named_holder(tmp_path / LOCK_FILE) == holder.pid
    # when the next run starts, it does not wait
    messages = []
    with run_lock.acquire(published, say=messages.append):
        # then it takes the lock over and says whose it was
        assert len(messages) == 1 and messages[0].startswith("Taking over the lock of")
        assert f"PID {holder.pid} on " in messages[0]
        assert named_holder(tmp_path / LOCK_FILE) == os.getpid()


def test_lock_outlives_a_killed_run_while_a_process_it_started_still_runs(tmp_path):
    # given a run that started a child with the lock (as it starts dbt), then was SIGKILLed
    published = tmp_path / WAREHOUSE
    holder = Holder(published, with_child=True)
    holder.kill()
    try:
        # when the next run starts, then it refuses: the child may still write the side file
        with pytest.raises(run_lock.LockNotTaken) as refused:
            run_lock.acquire(published, say=lambda message: None)
        assert f"PID {holder.pid} on " in str(refused.value)
        assert "that process is gone, a process it started still runs" in str(refused.value)
    finally:
        os.kill(holder.child_pid, signal.SIGKILL)  # the holder's child, now init's: not reaped here
    wait_until_gone(holder.child_pid)
    # and once the child is gone too, the lock is taken over
    messages = []
    with run_lock.acquire(published, wait_seconds=10, say=messages.append):
        assert any(message.startswith("Taking over the lock of") for message in messages)


def test_unusable_lock_location_is_one_message(tmp_path):
    # given a warehouse whose folder is a file
    (tmp_path / "warehouse").write_text("not a folder")
    # when a run takes the lock, then it is refused with the path, not a traceback
    with pytest.raises(run_lock.LockNotTaken, match="cannot open the run lock"):
        run_lock.acquire(tmp_path / WAREHOUSE)


def wait_until_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        stat = Path(f"/proc/{pid}/stat").read_text(errors="replace")
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return  # a zombie has closed its files: the lock is released
        assert time.monotonic() < deadline, f"process {pid} did not end"
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# Real runs in one work folder


class Run:
    """`segmentation run --data DATA [ARGS]` in work, output to files (read while it runs)."""

    def __init__(self, data: Path, work: Path, name: str, *args: str) -> None:
        self.out_path = work / f"{name}.out"
        self.err_path = work / f"{name}.err"
        command = ["run", "--data", str(data), "--no-report", "--no-download", *args]
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "segmentation.cli", *command],
                cwd=REPO_ROOT,
                env=work_environment(work),
                stdout=out,
                stderr=err,
            )
        self.pid = self.process.pid

    def out(self) -> str:
        return self.out_path.read_text(errors="replace")

    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait(self, timeout: float = 600) -> int:
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return f"--- stdout\n{self.out()[-3000:]}\n--- stderr\n{self.err()}"


@dataclass(frozen=True)
class Reference:
    """A single build of one raw file, in a folder of its own."""

    data: Path
    warehouse: Path
    checksums: dict[str, str]
    rows: dict[str, int]


def mart_rows(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {
            table: connection.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            for (table,) in tables
        }


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, Reference]:
    """Files A and B, each built once on its own (both at the same time, in two folders)."""
    folder = tmp_path_factory.mktemp("references")
    files = {
        "a": generate(folder / "a.parquet", n_lines=2_000, n_customers=60, progress=False, seed=1),
        "b": generate(folder / "b.parquet", n_lines=2_500, n_customers=70, progress=False, seed=2),
    }
    runs = {}
    for name, data in files.items():
        (folder / name).mkdir()
        runs[name] = Run(data, folder / name, "run")
    references = {}
    for name, run in runs.items():
        assert run.wait() == 0, run.output()
        warehouse = folder / name / WAREHOUSE
        references[name] = Reference(
            files[name], warehouse, mart_checksums(warehouse), mart_rows(warehouse)
        )
    assert references["a"].checksums != references["b"].checksums
    return references


def published_from(work: Path, reference: Reference) -> Path:
    """A work folder whose published warehouse is a copy of the reference's."""
    published = work / WAREHOUSE
    published.parent.mkdir(parents=True)
    shutil.copyfile(reference.warehouse, published)
    return published


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def read_exports(work: Path, name: str) -> dict[str, int]:
    """`segmentation export` of the published warehouse: the row count of every mart."""
    out = work / name
    exported = segmentation(work, "export", "--warehouse", str(work / WAREHOUSE), "--out", str(out))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "Traceback" not in exported.stdout + exported.stderr
    manifest = json.loads((out / "_manifest.json").read_text())
    return {table: entry["rows"] for table, entry in manifest["tables"].items()}


def assert_no_traceback(*runs: Run) -> None:
    for run in runs:
        assert "Traceback" not in run.out() + run.err(), run.output()


@pytest.mark.slow
def test_two_runs_started_together_one_builds_the_other_refuses(references, tmp_path):
    # given a warehouse published from file A
    published_from(tmp_path, references["a"])
    # when two runs of file B start together in the same work folder
    runs = [Run(references["b"].data, tmp_path, name) for name in ("first", "second")]
    # then one of them refuses at once, with code 2 and one line naming the other
    wait_for(lambda: any(run.process.poll() is not None for run in runs), "a run to end")
    (loser,) = [run for run in runs if run.process.poll() is not None]
    (winner,) = [run for run in runs if run is not loser]
    assert loser.wait() == 2, loser.output()
    assert loser.err().count("\n") == 1, loser.output()
    assert loser.err().startswith(f"error: another run is building {tmp_path / WAREHOUSE}: ")
    assert f"PID {winner.pid} on " in loser.err() and ", started " in loser.err()
    assert loser.out() == "", loser.output()
    # and while the other builds, the readers work on the published warehouse of file A
    wait_for(lambda: (tmp_path / SIDE_FILE).exists(), "the build's side file")
    assert winner.process.poll() is None, "the build ended before the readers started"
    assert read_exports(tmp_path, "exports") == references["a"].rows
    report = segmentation(tmp_path, "report", "--out", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stdout + report.stderr
    docs = segmentation(tmp_path, "dbt", "docs", "generate", "--no-compile")
    assert docs.returncode == 0, docs.stdout[-3000:] + docs.stderr
    assert "Traceback" not in report.stderr + docs.stdout + docs.stderr
    # and the build publishes exactly what a single build of file B publishes
    assert winner.wait() == 0, winner.output()
    assert_no_traceback(winner, loser)
    assert mart_checksums(tmp_path / WAREHOUSE) == references["b"].checksums
    assert not (tmp_path / SIDE_FILE).exists()
    assert (tmp_path / LOCK_FILE).read_text() == ""


@pytest.mark.slow
def test_two_runs_started_together_with_wait_build_one_after_the_other(references, tmp_path):
    # given a warehouse published from file A
    published_from(tmp_path, references["a"])
    # when a run of file B and a run of file A start together, both willing to wait
    runs = {
        name: Run(references[name].data, tmp_path, name, "--wait", "600") for name in ("b", "a")
    }
    # then one builds and the other says it waits for it, naming it, before touching anything
    wait_for(lambda: any("Waiting up to" in run.out() for run in runs.values()), "a waiting run")
    (waiting,) = [name for name, run in runs.items() if "Waiting up to" in run.out()]
    (building,) = set(runs) - {waiting}
    waiter = runs[waiting]
    assert f"for the run building {tmp_path / WAREHOUSE}: PID {runs[building].pid} on " in (
        waiter.out()
    )
    assert "Raw data:" not in waiter.out()
    # and readers meanwhile see one complete warehouse (A's, or B's once published)
    exported = read_exports(tmp_path, "exports")
    assert exported in (references["a"].rows, references["b"].rows)
    # and both runs succeed, the waiting one after the other: its build is what is published
    assert runs[building].wait() == 0, runs[building].output()
    assert waiter.wait() == 0, waiter.output()
    assert waiter.out().index("Waiting up to") < waiter.out().index("Raw data:")
    assert "Taking over" not in waiter.out()
    assert_no_traceback(*runs.values())
    assert mart_checksums(tmp_path / WAREHOUSE) == references[waiting].checksums
    assert not (tmp_path / SIDE_FILE).exists()


@pytest.mark.slow
def test_lock_of_a_sigkilled_run_is_taken_over_and_the_next_run_builds(references, tmp_path):
    # given a warehouse published from file A, and a run of file B SIGKILLed mid-build
    # (first the run, while its dbt still builds; then its dbt)
    published_from(tmp_path, references["a"])
    killed = Build(references["b"].data, tmp_path)
    # the side file exists before dbt starts (the snapshots are carried into it first)
    wait_for(lambda: killed.side_file_is_new() and killed.dbt_pid(), "the killed run's dbt")
    dbt_pid = killed.dbt_pid()
    assert dbt_pid is not None
    killed.process.kill()
    killed.process.wait(timeout=30)
    # when a run starts while the killed run's dbt is still building
    early = segmentation(tmp_path, "run", "--data", str(references["b"].data), "--no-report")
    # then it refuses, naming the killed run, and leaves its side file alone
    assert early.returncode == 2, early.stdout + early.stderr
    assert f"PID {killed.process.pid} on " in early.stderr
    assert "that process is gone, a process it started still runs" in early.stderr
    assert (tmp_path / SIDE_FILE).exists()
    # and readers still see the warehouse of file A
    assert read_exports(tmp_path, "exports") == references["a"].rows
    # when the killed run's dbt is killed too and a run starts
    os.kill(dbt_pid, signal.SIGKILL)
    wait_until_gone(dbt_pid)
    assert named_holder(tmp_path / LOCK_FILE) == killed.process.pid
    after = Run(references["b"].data, tmp_path, "after")
    # then it takes the lock over with a message naming the killed run, and builds
    assert after.wait() == 0, after.output()
    assert after.out().startswith("Taking over the lock of"), after.output()
    assert f"PID {killed.process.pid} on " in after.out().splitlines()[0]
    assert_no_traceback(after)
    assert "Traceback" not in early.stdout + early.stderr
    assert mart_checksums(tmp_path / WAREHOUSE) == references["b"].checksums
    assert not (tmp_path / SIDE_FILE).exists()
    assert (tmp_path / LOCK_FILE).read_text() == ""
