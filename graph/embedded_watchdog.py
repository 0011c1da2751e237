"""Watchdog process that owns the embedded FalkorDB server of one data directory.

Why it exists: the server is shared by every process attached to the directory, so it cannot
belong to any one of them, yet it must not outlive them all - even when they are SIGKILLed and
get no chance to clean up. Each attached handle holds a shared flock on ``clients.lock``; the
kernel drops those locks when a process dies. This process is the parent of ``redis-server``
(which dies with it through PR_SET_PDEATHSIG) and stops the server as soon as it can take
``clients.lock`` exclusively, i.e. once nobody is attached any more.

Usage (started by :mod:`graph.embedded`, not by hand)::

    python -m graph.embedded_watchdog DATA_DIR -- REDIS_SERVER [ARG ...]

The invoked process takes ``watchdog.lock``, forks the real watchdog (which inherits the lock),
writes its pid to ``watchdog.pid`` and exits 0, so the caller knows the lock is held by the time
it returns. ``redis-server`` inherits the lock too: ``watchdog.lock`` stays held exactly as long
as either process is alive, which is how attachers tell whether a server owns the directory.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

__all__ = [
    "CLIENTS_LOCK",
    "PRIVATE_UMASK",
    "START_LOCK",
    "WATCHDOG_LOCK",
    "WATCHDOG_LOG",
    "WATCHDOG_PID",
    "main",
    "open_lock",
    "try_lock",
]

CLIENTS_LOCK = "clients.lock"
"""Every attached handle holds a shared lock on it; the watchdog stops redis once it is free."""
START_LOCK = "start.lock"
"""Exclusive lock serialising check-and-start, release and the watchdog's shutdown decision."""
WATCHDOG_LOCK = "watchdog.lock"
"""Held (exclusively) by the watchdog and its redis-server for as long as either is alive."""
WATCHDOG_PID = "watchdog.pid"
PRIVATE_UMASK = 0o077
"""Files the watchdog and its redis-server create (AOF, RDB, log, pid) are the owner's only."""
WATCHDOG_LOG = "watchdog.log"

POLL_INTERVAL = 0.5
"""Seconds between checks for attached clients."""
STOP_GRACE = 60.0
"""Seconds redis gets to flush the AOF and exit after SIGTERM before it is SIGKILLed."""

_PR_SET_PDEATHSIG = 1


def open_lock(path: Path) -> int:
    """Open (creating) a lock file; the descriptor is not inherited by exec'd children."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def try_lock(fd: int, operation: int) -> bool:
    """flock without blocking; False if another open file description holds a conflicting lock."""
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn making the child receive SIGTERM when this process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: no dlopen in the child
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # parent died before prctl took effect
            os._exit(1)

    return preexec


def _nobody_attached(start_fd: int, clients_fd: int) -> bool:
    """Take start.lock and clients.lock exclusively if no handle is attached; keep them if so."""
    if not try_lock(start_fd, fcntl.LOCK_EX):
        return False  # an attach or release is in progress
    if try_lock(clients_fd, fcntl.LOCK_EX):
        return True  # held until exit: attachers wait until the server is really gone
    fcntl.flock(start_fd, fcntl.LOCK_UN)
    return False


def _stop(redis: subprocess.Popen[bytes]) -> None:
    redis.terminate()  # SIGTERM: redis fsyncs the AOF, removes pidfile and socket, exits
    try:
        redis.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        redis.kill()
        redis.wait()


def _supervise(data_dir: Path, watchdog_fd: int, command: Sequence[str]) -> int:
    start_fd = open_lock(data_dir / START_LOCK)
    clients_fd = open_lock(data_dir / CLIENTS_LOCK)
    redis = subprocess.Popen(  # noqa: S603 - command built by graph.embedded
        command,
        stdin=subprocess.DEVNULL,
        pass_fds=(watchdog_fd,),
        preexec_fn=_die_with_parent(),  # safe: this process is single-threaded
    )

    def forward(signum: int, _frame: FrameType | None) -> None:
        redis.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)

    while True:
        try:
            returncode = redis.wait(timeout=POLL_INTERVAL)
            break  # stopped by SHUTDOWN, a forwarded signal, or a crash
        except subprocess.TimeoutExpired:
            pass
        if _nobody_attached(start_fd, clients_fd):
            _stop(redis)
            returncode = 0
            break
    # Redis is dead, so this is the last holder: free watchdog.lock before clients.lock and
    # start.lock (released at exit), so a waiting attacher sees the directory as free.
    fcntl.flock(watchdog_fd, fcntl.LOCK_UN)
    return returncode


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[1] != "--":
        print("usage: python -m graph.embedded_watchdog DATA_DIR -- COMMAND...", file=sys.stderr)
        return 2
    data_dir, command = Path(args[0]), args[2:]
    os.umask(PRIVATE_UMASK)  # the AOF holds complaint details and names; redis inherits it
    watchdog_fd = open_lock(data_dir / WATCHDOG_LOCK)
    if not try_lock(watchdog_fd, fcntl.LOCK_EX):
        print(f"a FalkorDB server already owns {data_dir}", file=sys.stderr)
        return 3
    child = os.fork()
    if child:  # the invoked process: report the real watchdog's pid and return to the caller
        pid_file = data_dir / WATCHDOG_PID
        tmp = pid_file.with_suffix(".tmp")
        tmp.write_text(f"{child}\n")
        tmp.replace(pid_file)
        os._exit(0)
    return _supervise(data_dir, watchdog_fd, command)


if __name__ == "__main__":
    sys.exit(main())
