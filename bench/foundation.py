"""Numbers for the foundation issue: bulk load, database memory, lookups through the real API.

    python -m bench.foundation --institutions 100000 --certificates 1000000 --data DIR \\
        --clients 16 --requests 20000

Generates a synthetic registry into a fresh embedded store, closes it, starts
``registry.cli serve`` on loopback as a separate process and looks certificates up by number
from concurrent clients. Every process it causes is stopped before it returns, error or not.
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from redis.asyncio import Redis

from bench.processes import (
    database_pid,
    free_port,
    memory_of,
    start_api,
    stop_api,
    stop_database_if_left,
    tail,
    wait_ready,
)
from graph import native
from graph.clock import registry_today
from graph.falkordb_store import FalkorDBStore
from graph.models import InstitutionQuery
from graph.open import open_store
from graph.port import GraphStore
from registry.operations.credit import bulk_scoring
from registry.synthetic import (
    GenerationReport,
    certificate_batch,
    certificate_batch_count,
    generate,
    plan_roster,
)

__all__ = ["main"]

LOOKUP = (
    "query($n: String!) { certificate(number: $n) "
    "{ number status issuer { name } holder { name } } }"
)
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the load phase measured, and the certificate numbers to look up later."""

    report: GenerationReport | None  # None when --reuse skipped the generation
    database_rss: int | None
    database_peak_rss: int | None
    numbers: list[str]
    compaction_seconds: float | None


@dataclass(slots=True)
class LoadTest:
    """Outcome of the lookups: latencies of the good answers, and how many went wrong."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def failed(self, reason: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = reason[:300]


# memory ----------------------------------------------------------------------------------------


async def load(args: argparse.Namespace, data: Path) -> Loaded:
    """Generate into a fresh store in ``data``, measure the server, pick numbers to look up."""
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        report = None
        if await store.count_institutions(InstitutionQuery()):
            if not args.reset and not args.reuse:
                raise SystemExit(
                    f"{data} already holds a registry; pass --reset to replace it or --reuse "
                    "to measure it as it is (generated earlier with the same sizes and seed)"
                )
            if args.reset:
                await store.clear()
        if report is None and not args.reuse:
            report = await generate(
                store,
                institutions=args.institutions,
                certificates=args.certificates,
                seed=args.seed,
                progress=not args.quiet,
                credit=bulk_scoring(registry_today()),
            )
        server = store.server if isinstance(store, FalkorDBStore) else None
        pid = None if server is None else server.server_pid
        rss, peak = memory_of(pid), memory_of(pid, "VmHWM")
        numbers = await sample_numbers(store, args=args)
        compaction = None if args.no_compact else await compact(store)
    finally:
        await store.close()
    return Loaded(report, rss, peak, numbers, compaction)


async def sample_numbers(store: GraphStore, *, args: argparse.Namespace) -> list[str]:
    """Random existing certificate numbers from all over the registry.

    Listing a million certificates to pick some would take longer than the lookups; instead
    random batches are rebuilt from the seed and their numbers checked against the store.
    """
    roster = plan_roster(
        seed=args.seed, institutions=args.institutions, certificates=args.certificates
    )
    rng = random.Random(args.seed)
    batches = certificate_batch_count(roster)
    if not batches:
        return []
    per_batch = max(1, min(1000, args.samples // min(batches, 100)))
    candidates: list[str] = []
    for number in rng.sample(range(batches), min(batches, -(-args.samples // per_batch))):
        certificates = certificate_batch(roster, number).certificates
        candidates += (
            c.number for c in rng.sample(certificates, min(per_batch, len(certificates)))
        )
    found: list[str] = []
    for start in range(0, len(candidates), 1000):
        found += (c.number for c in await store.get_certificates(candidates[start : start + 1000]))
    return found[: args.samples]


async def compact(store: GraphStore) -> float | None:
    """Rewrite the server's AOF into an RDB snapshot and return the seconds it took.

    Replaying the write log of a bulk load at startup is far slower than the load itself;
    after the rewrite the API's server starts from the snapshot.
    """
    server = store.server if isinstance(store, FalkorDBStore) else None
    if server is None:
        return None
    started = time.perf_counter()
    raw = Redis(unix_socket_path=str(server.socket_path))
    try:
        await raw.bgrewriteaof()
        while True:
            info = await raw.info("persistence")
            if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
                break
            await asyncio.sleep(0.2)
        if info["aof_last_bgrewrite_status"] != "ok":
            raise RuntimeError(f"AOF rewrite failed: {info['aof_last_bgrewrite_status']}")
    finally:
        await raw.aclose()
    return time.perf_counter() - started


# phase 2: the API ------------------------------------------------------------------------------


async def look_up(
    client: httpx.AsyncClient,
    numbers: Sequence[str],
    *,
    clients: int,
    requests: int,
    time_limit: float,
    seed: int,
) -> LoadTest:
    """``requests`` lookups of random known numbers from ``clients`` concurrent clients,
    stopping early once ``time_limit`` seconds have passed."""
    result = LoadTest()
    tickets = itertools.count()
    rng = random.Random(seed)
    started = time.perf_counter()
    deadline = started + time_limit

    async def one_client() -> None:
        while next(tickets) < requests and time.perf_counter() < deadline:
            number = rng.choice(numbers)
            body = {"query": LOOKUP, "variables": {"n": number}}
            sent = time.perf_counter()
            try:
                response = await client.post("/graphql", json=body)
            except httpx.HTTPError as exc:
                result.failed(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - sent
            if response.status_code != 200:
                result.failed(f"HTTP {response.status_code}: {response.text}")
                continue
            payload = response.json()
            found = (payload.get("data") or {}).get("certificate")
            if payload.get("errors") or not found or found.get("number") != number:
                result.failed(f"{number}: {response.text}")
                continue
            result.latencies.append(elapsed)

    await asyncio.gather(*(one_client() for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


@dataclass(frozen=True, slots=True)
class Served:
    startup_seconds: float
    load: LoadTest
    api_rss: int | None
    database_rss: int | None


async def serve_and_look_up(
    args: argparse.Namespace, process: subprocess.Popen[bytes], *, port: int, numbers: list[str]
) -> Served:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        limits=limits,
        timeout=httpx.Timeout(30.0),
        trust_env=False,  # loopback only: never through a proxy from the environment
    ) as client:
        try:
            async with asyncio.timeout(args.startup_timeout):
                startup = await wait_ready(client, process)
        except TimeoutError as exc:
            message = f"the API did not answer /healthz within {args.startup_timeout:g} s"
            raise RuntimeError(message) from exc
        warm_up = min(200, args.requests)
        await look_up(
            client, numbers, clients=args.clients, requests=warm_up, time_limit=30, seed=-1
        )
        result = await look_up(
            client,
            numbers,
            clients=args.clients,
            requests=args.requests,
            time_limit=args.time_limit,
            seed=args.seed,
        )
    return Served(startup, result, memory_of(process.pid), memory_of(database_pid(args.data)))


# report ----------------------------------------------------------------------------------------


def mib(size: int | None) -> str:
    return "n/a" if size is None else f"{size / MIB:,.0f}"


def table(rows: Sequence[tuple[str, str, str]]) -> str:
    header = ("measure", "value", "unit")
    minimum = (32, 10, 0)  # the two tables line up
    widths = [max(minimum[i], *(len(row[i]) for row in (header, *rows))) for i in range(3)]
    lines = [
        f"{header[0]:<{widths[0]}}  {header[1]:>{widths[1]}}  {header[2]}",
        f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}",
    ]
    lines += [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c}" for a, b, c in rows]
    return "\n".join(lines)


def load_rows(loaded: Loaded) -> list[tuple[str, str, str]]:
    report = loaded.report
    if report is None:
        rows = [("generation", "reused", "")]
    else:
        rows = [
            ("generation: time", f"{report.seconds:,.1f}", "s"),
            ("generation: rows written", f"{report.rows:,}", "rows"),
            ("generation: throughput", f"{report.rows_per_second:,.0f}", "rows/s"),
        ]
        for name in (
            "regions", "institutions", "organizations", "accreditations", "certificates",
            "status_changes", "credit_ratings", "credit_events", "complaints",
        ):  # fmt: skip
            rows.append((f"  {name.replace('_', ' ')}", f"{getattr(report, name):,}", "rows"))
    rows += [
        ("database RSS after load", mib(loaded.database_rss), "MiB"),
        ("database peak RSS during load", mib(loaded.database_peak_rss), "MiB"),
        ("certificate numbers sampled", f"{len(loaded.numbers):,}", "numbers"),
    ]
    if loaded.compaction_seconds is not None:
        rows.append(("AOF rewrite after load", f"{loaded.compaction_seconds:,.1f}", "s"))
    return rows


def serve_rows(served: Served, *, clients: int) -> list[tuple[str, str, str]]:
    load = served.load
    latencies = sorted(load.latencies)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    throughput = load.requests / load.seconds if load.seconds else 0.0
    return [
        ("api: startup until /healthz", f"{served.startup_seconds:,.1f}", "s"),
        ("api: concurrent clients", f"{clients}", "clients"),
        ("api: requests", f"{load.requests:,}", "requests"),
        ("api: errors", f"{load.errors:,}", "requests"),
        ("api: throughput", f"{throughput:,.0f}", "requests/s"),
        ("api: latency p50", f"{cuts[49] * 1000:,.1f}", "ms"),
        ("api: latency p99", f"{cuts[98] * 1000:,.1f}", "ms"),
        ("api process RSS", mib(served.api_rss), "MiB"),
        ("database RSS while serving", mib(served.database_rss), "MiB"),
    ]


# main ------------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.foundation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--institutions", type=int, default=10_000)
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="store directory (default: a temporary one)")
    parser.add_argument("--reset", action="store_true", help="replace a registry found in --data")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the registry already in --data as it is"
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=2_000, help="distinct numbers to look up")
    parser.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for lookups")
    parser.add_argument("--startup-timeout", type=float, default=600.0)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--no-compact",
        action="store_true",
        help="skip the AOF rewrite after loading (the API then replays the whole write log)",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.samples < 1:
        parser.error("--clients, --requests and --samples must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    temporary = args.data is None
    args.data = Path(tempfile.mkdtemp(prefix="bench-foundation-")) if temporary else args.data
    args.data = args.data.resolve()
    descriptor, log_name = tempfile.mkstemp(prefix="bench-api-", suffix=".log")
    os.close(descriptor)
    log = Path(log_name)
    print(
        f"{args.institutions:,} institutions, {args.certificates:,} certificates, seed "
        f"{args.seed}, data {args.data}; python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, compiled modules {native.state()}",
        flush=True,
    )
    try:
        loaded = asyncio.run(load(args, args.data))
        print(table(load_rows(loaded)), flush=True)
        if not loaded.numbers:
            print("no certificates to look up; skipping the API", file=sys.stderr)
            return 1
        port = args.port or free_port()
        process = start_api(args.data, port=port, log=log)
        try:
            served = asyncio.run(
                serve_and_look_up(args, process, port=port, numbers=loaded.numbers)
            )
        except BaseException:
            print(f"the API failed; the end of its log:\n{tail(log)}", file=sys.stderr)
            raise
        finally:
            server = database_pid(args.data)  # started by the API; its pidfile goes with it
            stop_api(process)
            stop_database_if_left(server)
        print(table(serve_rows(served, clients=args.clients)))
        if served.load.first_error:
            print(f"first error: {served.load.first_error}", file=sys.stderr)
        return 0 if served.load.errors == 0 else 1
    finally:
        if temporary:
            shutil.rmtree(args.data, ignore_errors=True)
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
