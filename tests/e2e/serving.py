"""`registry serve` as a real process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

__all__ = ["free_port", "log_of", "served_registry", "start_registry", "stop_registry"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_of(data: Path) -> Path:
    """Where the service started on ``data`` writes its (JSON) log."""
    return data.parent / f"{data.name}.log"


def start_registry(
    data: Path, serve_args: Sequence[str] = (), **extra_env: str
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start `registry serve` on ``data`` (seeded on first start) with ``serve_args`` added;
    wait until /readyz answers. Its log goes to ``log_of(data)``: a pipe nobody reads would
    stall a chatty server."""
    port = free_port()
    env = {**os.environ, "REGISTRY_ENV": "test", **extra_env}
    data.parent.mkdir(parents=True, exist_ok=True)
    with log_of(data).open("ab") as log:
        process = _spawn(data, port, env, log, serve_args)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            stop_registry(process)
            pytest.fail("registry serve exited before it was ready")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return base, process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop_registry(process)
            pytest.fail("the service did not become ready in 60 s")
        time.sleep(0.2)


def _spawn(
    data: Path, port: int, env: dict[str, str], log: IO[bytes], serve_args: Sequence[str]
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "registry.cli", "serve", "--data", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port), *serve_args]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


def stop_registry(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM; SIGKILL when it has not stopped in 30 s (a server whose event loop is held
    never gets to handle the SIGTERM)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def served_registry(data: Path, serve_args: Sequence[str] = (), **extra_env: str) -> Iterator[str]:
    """The base URL of a running registry, stopped on exit."""
    base, process = start_registry(data, serve_args, **extra_env)
    try:
        yield base
    finally:
        stop_registry(process)
