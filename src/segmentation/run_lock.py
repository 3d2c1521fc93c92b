"""One run at a time per warehouse: a lock file beside it, held for the whole run.

`segmentation run` takes the lock before it touches anything (the raw file, the side file, the
report) and keeps it until it ends; its dbt child inherits it, so the lock lives as long as any
process of the run. It is an ``flock``, which the kernel releases when the last process holding
it ends: a killed run never blocks the next one. The file names the holder (PID, host, start
time) for the message of a run that finds it taken; a run that ends normally empties it, so a
file that still names a holder while the lock is free was left by a killed run and is taken
over with a message. Readers (report, export, docs) never take the lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# How often a waiting run tries the lock again, and how long a reader of the lock file waits
# for a holder that has the lock but has not yet written its name.
POLL_SECONDS = 0.2
HOLDER_WRITE_GRACE_SECONDS = 1.0


class LockNotTaken(Exception):
    """Another run holds the lock (or the lock file cannot be opened); one line says which."""


def lock_file(published: Path) -> Path:
    """The lock of a warehouse: `.<name>.lock` beside the published file."""
    return published.with_name(f".{published.stem}.lock")


@dataclass(frozen=True)
class Holder:
    """The run named in a lock file."""

    pid: int
    host: str
    started_at: dt.datetime

    @classmethod
    def this_process(cls) -> Holder:
        return cls(os.getpid(), socket.gethostname(), dt.datetime.now().astimezone())

    def to_text(self) -> str:
        fields = {"pid": self.pid, "host": self.host, "started_at": self.started_at.isoformat()}
        return json.dumps(fields) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Holder | None:
        """The holder a lock file names; None for an empty, partly written or foreign file."""
        try:
            fields = json.loads(text)
            return cls(
                int(fields["pid"]),
                str(fields["host"]),
                dt.datetime.fromisoformat(fields["started_at"]),
            )
        except (ValueError, TypeError, KeyError):
            return None

    def is_gone(self) -> bool:
        """The process has ended (known only on this host; elsewhere, never assumed)."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False

    def describe(self) -> str:
        """``PID 123 on host, started 2011-12-09 12:50:00, 42 s ago``."""
        age = dt.datetime.now().astimezone() - self.started_at
        return (
            f"PID {self.pid} on {self.host}, started {self.started_at:%Y-%m-%d %H:%M:%S}, "
            f"{_duration(age.total_seconds())} ago"
        )


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"


class RunLock:
    """The lock of one warehouse, held by this process from `acquire` until `release`.

    ``fd`` is the open lock file; a child given it (``pass_fds``) holds the lock with us.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def release(self) -> None:
        if self.fd < 0:
            return
        try:
            os.ftruncate(self.fd, 0)  # an ended run leaves no holder to take over
        finally:
            os.close(self.fd)  # the lock goes with the last descriptor of the file
            self.fd = -1

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def acquire(
    published: Path,
    wait_seconds: float = 0.0,
    say: Callable[[str], None] = print,
) -> RunLock:
    """Take the lock of the warehouse ``published``, waiting at most ``wait_seconds``.

    Raises LockNotTaken, naming the holder, when another run still holds it. ``say`` gets
    the messages of a run that waits or takes over a killed run's lock.
    """
    path = lock_file(published)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise LockNotTaken(f"cannot open the run lock {path}: {error.strerror}") from error
    try:
        _wait_for_lock(fd, published, wait_seconds, say)
        previous = Holder.from_text(_read(fd))
        if previous is not None:
            say(
                f"Taking over the lock of {published} left by a run that ended without "
                f"releasing it ({previous.describe()})."
            )
        text = Holder.this_process().to_text().encode()
        os.pwrite(fd, text, 0)
        os.ftruncate(fd, len(text))
    except BaseException:
        os.close(fd)
        raise
    return RunLock(path, fd)


def _wait_for_lock(
    fd: int, published: Path, wait_seconds: float, say: Callable[[str], None]
) -> None:
    deadline = time.monotonic() + wait_seconds
    announced: object = object()  # no holder announced yet
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _current_holder(fd)
        if time.monotonic() >= deadline:
            if not wait_seconds:
                raise LockNotTaken(f"another run is building {published}: {_words(holder)}")
            raise LockNotTaken(
                f"another run is still building {published} after waiting "
                f"{_duration(wait_seconds)}: {_words(holder)}"
            )
        if holder != announced:  # once per holder: a third run may take it before us
            say(
                f"Waiting up to {_duration(wait_seconds)} for the run building {published}: "
                f"{_words(holder)}."
            )
            announced = holder
        try:
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        except KeyboardInterrupt:
            raise LockNotTaken(f"interrupted while waiting for {_words(holder)}") from None


def _current_holder(fd: int) -> Holder | None:
    """The holder the lock file names; one that has just taken the lock is given time to say."""
    deadline = time.monotonic() + HOLDER_WRITE_GRACE_SECONDS
    while (holder := Holder.from_text(_read(fd))) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return holder


def _words(holder: Holder | None) -> str:
    if holder is None:
        return "a process that does not name itself in the lock file"
    if holder.is_gone():
        return f"{holder.describe()}; that process is gone, a process it started still runs"
    return holder.describe()


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
