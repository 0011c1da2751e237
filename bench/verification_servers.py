"""The two servers ``bench.verification`` compares, ``registry.cli serve`` and
``bench.plain_verify_app`` over one embedded database: started, awaited, stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.foundation import sample_numbers
from bench.processes import PROJECT_ROOT, database_pid, stop_api, tail, wait_ready
from graph.models import CertificateQuery, InstitutionQuery
from graph.open import open_store
from registry.context import registry_today

__all__ = ["Servers", "start_graphql", "start_plain", "start_servers", "stop", "tail"]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # Own process group: whatever the server forks (uvicorn workers) can be killed with it.
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def start_graphql(
    data: Path, *, port: int, workers: int, log: Path, response_cache: bool = True
) -> subprocess.Popen[bytes]:
    env = _environment()
    env.update(
        REGISTRY_ENV="production",
        REGISTRY_SECRET_KEY=secrets.token_urlsafe(30),  # 40 characters
        REGISTRY_LOAD_SEEDS_WHEN_EMPTY="false",
        # One loopback client hammering on purpose: lift the per-client limits.
        REGISTRY_PUBLIC_LOOKUPS_PER_MINUTE="1000000000",
        REGISTRY_REQUESTS_PER_MINUTE="1000000000",
    )
    if not response_cache:
        env["REGISTRY_RESPONSE_CACHE_ENTRIES"] = "0"
    command = [
        sys.executable, "-m", "registry.cli", "serve", "--data", str(data),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning",
    ]  # fmt: skip
    return _spawn(command, env, log)


def start_plain(data: Path, *, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "bench.plain_verify_app", "--data", str(data),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return _spawn(command, _environment(), log)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, SIGKILL after 60 s (bench.foundation.stop_api); then SIGKILL whatever is left
    of its process group (uvicorn workers whose parent was killed)."""
    stop_api(process)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass(slots=True)
class Servers:
    graphql: subprocess.Popen[bytes] | None = None
    plain: subprocess.Popen[bytes] | None = None
    database: int | None = None


async def start_servers(
    args: argparse.Namespace,
    servers: Servers,
    *,
    numbers: list[str] | None,
    ports: tuple[int, int],
    logs: tuple[Path, Path],
) -> list[str]:
    """Sample numbers (unless given) with the store open here, start both servers on it, and
    wait until both answer ``/healthz``. The bench holds the store until then, so the
    database loads once and the servers attach to it."""
    opening = time.monotonic()
    store = await open_store(f"falkordb+embedded://{args.data}")
    try:
        servers.database = database_pid(args.data)
        print(f"store open after {time.monotonic() - opening:.1f} s", flush=True)
        if numbers is None:
            if args.institutions is None:
                args.institutions = await store.count_institutions(InstitutionQuery())
            if args.certificates is None:
                args.certificates = await store.count_certificates(
                    CertificateQuery(today=registry_today())
                )
            print(
                f"registry in {args.data}: {args.institutions:,} institutions, "
                f"{args.certificates:,} certificates; sampling {args.samples:,} numbers",
                flush=True,
            )
            numbers = await sample_numbers(store, args=args)
        if not numbers:
            raise SystemExit(
                "no sampled certificate number exists in the store: pass the --seed, "
                "--institutions and --certificates the registry was generated with"
            )
        servers.graphql = start_graphql(
            args.data,
            port=ports[0],
            workers=args.workers,
            log=logs[0],
            response_cache=not args.no_response_cache,
        )
        servers.plain = start_plain(args.data, port=ports[1], workers=args.workers, log=logs[1])
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            for process, port in ((servers.graphql, ports[0]), (servers.plain, ports[1])):
                client.base_url = httpx.URL(f"http://127.0.0.1:{port}")
                try:
                    async with asyncio.timeout(args.startup_timeout):
                        await wait_ready(client, process)
                except TimeoutError as exc:
                    message = f"no /healthz answer on port {port} in {args.startup_timeout:g} s"
                    raise RuntimeError(message) from exc
        print(f"both servers ready after {time.monotonic() - started:.1f} s", flush=True)
    finally:
        await store.close()
    return numbers
