"""The files of an embedded store's data directory, and who may read them.

Why a module of its own: the append-only file holds complaint details and names, so the
directory is its owner's only (0700) and every file the store writes in it is 0600. New files
are private because the watchdog and its redis-server run under umask 077
(:data:`graph.embedded_watchdog.PRIVATE_UMASK`); :func:`restrict_files` tightens, on every
start, what an older version or a restore from backup left readable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from graph.embedded_watchdog import (
    CLIENTS_LOCK,
    START_LOCK,
    WATCHDOG_LOCK,
    WATCHDOG_LOG,
    WATCHDOG_PID,
)

__all__ = [
    "AOF_DIR",
    "LOG_NAME",
    "PID_NAME",
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "SOCKET_NAME",
    "disk_is_low",
    "log_tail",
    "make_private_dir",
    "open_private_log",
    "read_pid",
    "remove_stale_files",
    "restrict_files",
]

SOCKET_NAME: Final = "falkordb.sock"
PID_NAME: Final = "falkordb.pid"
LOG_NAME: Final = "falkordb.log"
AOF_DIR: Final = "appendonlydir"
PRIVATE_DIR: Final = 0o700
PRIVATE_FILE: Final = 0o600

_STORE_FILES: Final = frozenset(
    {SOCKET_NAME, PID_NAME, LOG_NAME, START_LOCK, CLIENTS_LOCK, WATCHDOG_LOCK, WATCHDOG_LOG,
     WATCHDOG_PID, "watchdog.tmp"}
)  # fmt: skip
_STORE_SUFFIXES: Final = (".aof", ".rdb")  # AOF rewrite temporaries, RDB dumps
_LOG_TAIL_BYTES: Final = 4096
_LOW_DISK_SHARE: Final = 0.05
_LOW_DISK_CAP: Final = 64 * 1024 * 1024


def make_private_dir(data_dir: Path) -> Path:
    """Create the directory (its owner's only) and restrict what is in it; its real path."""
    data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    data_dir = data_dir.resolve()
    restrict_files(data_dir)
    return data_dir


def restrict_files(data_dir: Path) -> None:
    """Owner-only access to the directory and to every file the store keeps in it.

    Other files (an operator's signing keys, say) are left as they are; symbolic links are
    never followed."""
    data_dir.chmod(PRIVATE_DIR)
    kept = [p for p in data_dir.iterdir() if p.name in _STORE_FILES or p.suffix in _STORE_SUFFIXES]
    aof_dir = data_dir / AOF_DIR
    if aof_dir.is_dir() and not aof_dir.is_symlink():
        aof_dir.chmod(PRIVATE_DIR)
        kept += aof_dir.iterdir()
    for path in kept:
        if not path.is_symlink() and not path.is_dir():
            path.chmod(PRIVATE_FILE)


def open_private_log(path: Path) -> int:
    """A descriptor appending to ``path``, which is created for its owner only."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
    return os.open(path, flags, PRIVATE_FILE)


def disk_is_low(data_dir: Path) -> bool:
    """Whether the directory's file system is nearly full: less than 5 % of it (at most
    64 MiB) is free, so the next write may not fit and the server would stop on it."""
    stats = os.statvfs(data_dir)
    free = stats.f_bavail * stats.f_frsize
    return free < min(_LOW_DISK_CAP, stats.f_blocks * stats.f_frsize * _LOW_DISK_SHARE)


def remove_stale_files(data_dir: Path, socket_path: Path) -> None:
    """Remove what a killed server left behind; only called when no server owns the dir."""
    for path in (socket_path, data_dir / PID_NAME, data_dir / WATCHDOG_PID):
        path.unlink(missing_ok=True)


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def log_tail(data_dir: Path) -> str:
    """The end of the server's and the watchdog's logs, for error messages."""
    parts = []
    for path in (data_dir / LOG_NAME, data_dir / WATCHDOG_LOG):
        try:
            with path.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES))
                tail = log.read().decode(errors="replace").strip()
        except FileNotFoundError:
            continue
        if tail:
            parts.append(f"--- tail of {path} ---\n{tail}")
    return "\n".join(parts) or "(no log output)"
