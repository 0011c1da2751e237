"""A small disk for tests that fill one: a tmpfs mounted for the test (root only, as on CI),
a ballast file that takes up all but a given amount of its space, and a crash of the
database server on it."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import alive

__all__ = ["crash_database", "free_bytes", "small_disk", "take_all_but", "take_the_rest"]

_CHUNK = 64 * 1024


@contextmanager
def small_disk(mount_point: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` at ``mount_point``; skips the test where mounting is not
    permitted, and unmounts whatever happens (waiting for processes to let go of it)."""
    mount_point.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        _unmount(mount_point)


def _unmount(mount_point: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        done = subprocess.run(["umount", str(mount_point)], capture_output=True, check=False)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:  # still busy: detach it now, freed when let go
            subprocess.run(["umount", "-l", str(mount_point)], check=True)
            return
        time.sleep(0.2)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def take_all_but(ballast: Path, left: int) -> Path:
    """Grow ``ballast`` until about ``left`` bytes are free on its file system."""
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while (room := free_bytes(ballast.parent) - left) > 0:
            os.write(fd, bytes(min(room, _CHUNK)))
    finally:
        os.close(fd)
    return ballast


def take_the_rest(ballast: Path) -> None:
    """Grow ``ballast`` until not a byte is left."""
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)


def crash_database(data_dir: Path) -> None:
    """SIGKILL the redis-server serving ``data_dir``, if one runs (as a machine going down
    would stop it): what it held in memory only is lost. Only a process that is that server
    is killed, whatever a stale pid file says."""
    try:
        pid = int((data_dir / "falkordb.pid").read_text())
        title = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return
    if b"redis-server" not in title or os.fsencode(data_dir.resolve()) not in title:
        return
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(pid):
        assert time.monotonic() < deadline, f"redis-server {pid} did not die"
        time.sleep(0.05)
