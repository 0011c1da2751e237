"""The servers ``bench.verification`` compares over one embedded database: ``registry.cli
serve`` once per mode (without and with its response cache) and ``bench.plain_verify_app``;
started, awaited, stopped.
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.foundation import sample_numbers
from bench.processes import PROJECT_ROOT, database_pid, stop_api, tail, wait_ready
from graph.clock import registry_today
from graph.models import CertificateQuery, InstitutionQuery
from graph.open import open_store

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
    graphql: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)  # by mode
    plain: subprocess.Popen[bytes] | None = None
    database: int | None = None

    def all(self) -> list[subprocess.Popen[bytes]]:
        return [*self.graphql.values(), *([self.plain] if self.plain else [])]


async def start_servers(
    args: argparse.Namespace,
    servers: Servers,
    *,
    numbers: list[str] | None,
    ports: dict[str, int],
    logs: dict[str, Path],
) -> list[str]:
    """Sample numbers (unless given) with the store open here, start the servers on it (a
    GraphQL one for each mode in ``ports``, the plain one under "plain"), and wait until each
    answers ``/healthz``. The bench holds the store until then, so the database loads once
    and the servers attach to it."""
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
        for mode, port in ports.items():
            if mode == "plain":
                servers.plain = start_plain(
                    args.data, port=port, workers=args.workers, log=logs[mode]
                )
            else:
                servers.graphql[mode] = start_graphql(
                    args.data,
                    port=port,
                    workers=args.workers,
                    log=logs[mode],
                    response_cache=mode == "cached",
                )
        started = time.monotonic()
        processes = {**servers.graphql, "plain": servers.plain}
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            for mode, port in ports.items():
                process = processes[mode]
                assert process is not None
                client.base_url = httpx.URL(f"http://127.0.0.1:{port}")
                try:
                    async with asyncio.timeout(args.startup_timeout):
                        await wait_ready(client, process)
                except TimeoutError as exc:
                    message = f"no /healthz answer on port {port} in {args.startup_timeout:g} s"
                    raise RuntimeError(message) from exc
        print(f"all servers ready after {time.monotonic() - started:.1f} s", flush=True)
    finally:
        await store.close()
    return numbers
