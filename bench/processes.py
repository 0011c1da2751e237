"""Processes a benchmark starts and measures: the API on loopback, the embedded database it
attaches to, their memory, and stopping every one of them whatever happened."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.embedded_files import PID_NAME

__all__ = [
    "PROJECT_ROOT",
    "alive",
    "cpu_seconds_of_group",
    "database_pid",
    "free_port",
    "memory_of",
    "start_api",
    "stop_api",
    "stop_database_if_left",
    "tail",
    "wait_ready",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def memory_of(pid: int | None, key: str = "VmRSS") -> int | None:
    """Bytes of ``VmRSS`` (resident now) or ``VmHWM`` (peak) of a process, from /proc."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return None


def cpu_seconds_of_group(pgid: int) -> float:
    """User + system seconds the live processes of process group ``pgid`` have used (a
    server started in its own group: uvicorn and its workers), from /proc."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                text = stat.read()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 12 and fields[2] == str(pgid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def database_pid(data: Path) -> int | None:
    """The embedded redis-server serving ``data``, from its pidfile."""
    try:
        return int((data / PID_NAME).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# phase 1: generation ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_api(data: Path, *, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    env["REGISTRY_LOAD_SEEDS_WHEN_EMPTY"] = "false"
    # The bench is one loopback client hammering on purpose: lift the per-client limits.
    env["REGISTRY_PUBLIC_LOOKUPS_PER_MINUTE"] = "1000000000"
    env["REGISTRY_REQUESTS_PER_MINUTE"] = "1000000000"
    command = [
        sys.executable, "-m", "registry.cli", "serve", "--data", str(data),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_api(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 60 s."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_database_if_left(pid: int | None, *, timeout: float = 90.0) -> None:
    """The database server stops by itself once no process is attached (after flushing its
    AOF); if it has not within ``timeout``, SIGTERM it - after checking the pid is still it."""
    deadline = time.monotonic() + timeout
    while pid is not None and alive(pid):
        if time.monotonic() >= deadline:
            if "redis" in _command_name(pid):
                print(f"database server {pid} still running; stopping it", file=sys.stderr)
                os.kill(pid, signal.SIGTERM)
            return
        time.sleep(0.1)


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


async def wait_ready(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> float:
    """Seconds until ``GET /healthz`` answers 200; fails if the process exits first."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited with status {process.returncode} during startup")
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get("/healthz", timeout=2.0)).status_code == 200:
                return time.monotonic() - started
        await asyncio.sleep(0.05)  # the restart is a target of its own: measured finely


def tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_bytes()[-size:].decode(errors="replace")
    except OSError:
        return "(no log)"
