"""How long a served registry takes to come back after a restart, and what its database holds.

    python -m bench.restart --data /tmp/bench1m --rounds 3

For an existing store (made by ``registry generate`` or ``bench.foundation``), each round
starts ``registry serve`` on loopback with no database running, times it until ``/healthz``
answers and until a certificate is found by number through GraphQL, then reads the database
server's RSS, ``INFO memory`` and ``GRAPH.MEMORY USAGE``, and the server log's account of
the load (decoding the snapshot, building the indexes). Every process it causes is stopped
before the next round and before it returns. ``--compact`` first rewrites the append-only
file as a snapshot, as ``bench.foundation`` does after its load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
from graph.embedded import socket_path_for
from graph.embedded_files import LOG_NAME
from graph.open import open_store

__all__ = ["main"]

MIB = 1024 * 1024
LOOKUP = "query($n: String!) { certificate(number: $n) { number } }"
_STAMP = re.compile(r"^\d+:\w (\d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}) ")


@dataclass(frozen=True, slots=True)
class Round:
    healthz: float
    first_lookup: float
    database_rss: int | None
    used_memory: int
    graph_memory: dict[str, object]
    database_cpu: float | None  # the server's CPU seconds until the lookup answered
    api_cpu: float | None  # the API process's, likewise
    load: float | None  # the server's "DB loaded from append only file"
    indexes: float | None  # from "Constructing indexes" to "Done decoding graph"


async def compact(data: Path) -> float:
    """Open the store (its own start-up work done once) and rewrite its append-only file."""
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        started = time.perf_counter()
        await store.compact()  # type: ignore[attr-defined]
        return time.perf_counter() - started
    finally:
        await store.close()


async def sample_number(data: Path) -> str:
    """One certificate's number, to look up once the API is up."""
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        page = await store.export_page("Certificate", cursor=None, limit=10)
        return str(page[0][-1].key)
    finally:
        await store.close()


def cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU seconds a process has used (a figure the other work on a shared
    machine disturbs less than the wall clock)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def database_figures(data: Path) -> tuple[int, dict[str, object]]:
    raw = Redis(unix_socket_path=str(socket_path_for(data)), decode_responses=True)
    try:
        info = await raw.info("memory")
        usage = await raw.execute_command("GRAPH.MEMORY", "USAGE", "registry")  # type: ignore[no-untyped-call]
    finally:
        await raw.aclose()
    pairs = _pairs(usage)
    labels = _pairs(pairs.pop("amortized_node_attributes_by_label_sz_mb", {}))
    pairs |= {f"  {k}": v for k, v in labels.items() if v}
    pairs.pop("amortized_edge_attributes_by_type_sz_mb", None)
    return int(info["used_memory"]), pairs


def _pairs(reply: object) -> dict[str, object]:
    """A flat [name, value, ...] reply (or the client's dict of it) as a dict."""
    if isinstance(reply, dict):
        return {str(k): v for k, v in reply.items()}
    items = list(reply) if isinstance(reply, list) else []
    return {str(k): v for k, v in zip(items[::2], items[1::2], strict=True)}


def server_log_figures(data: Path, since: int) -> tuple[float | None, float | None]:
    """The last start's load time and index construction, from the server log after byte
    ``since``."""
    try:
        with (data / LOG_NAME).open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace").splitlines()
    except OSError:
        return None, None
    load = None
    indexing = 0.0
    begun: dict[str, datetime] = {}
    for line in lines:
        if "DB loaded from append only file:" in line:
            load = float(line.rsplit(":", 1)[1].split()[0])
        stamp = _STAMP.match(line)
        if stamp is None:
            continue
        when = datetime.strptime(stamp.group(1), "%d %b %Y %H:%M:%S.%f")
        graph = line.split("Graph '", 1)[1].split("'", 1)[0] if "Graph '" in line else None
        if graph and "Constructing indexes" in line:
            begun[graph] = when
        if "Done decoding graph" in line:
            name = line.rsplit(" ", 1)[1]
            if name in begun:
                indexing += (when - begun.pop(name)).total_seconds()
    return load, indexing


async def one_round(data: Path, number: str, log: Path) -> Round:
    try:
        since = (data / LOG_NAME).stat().st_size
    except OSError:
        since = 0
    port = free_port()
    process = start_api(data, port=port, log=log)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(120.0), trust_env=False
        ) as client:
            started = time.monotonic()
            healthz = await wait_ready(client, process)
            body = {"query": LOOKUP, "variables": {"n": number}}
            answer = (await client.post("/graphql", json=body)).json()
            first = time.monotonic() - started
            if (answer.get("data") or {}).get("certificate", {}).get("number") != number:
                raise RuntimeError(f"the lookup of {number} answered {answer}")
        database_cpu, api_cpu = cpu_seconds(database_pid(data)), cpu_seconds(process.pid)
        rss = memory_of(database_pid(data))
        used, usage = await database_figures(data)
    except BaseException:
        print(f"the API failed; the end of its log:\n{tail(log)}", file=sys.stderr)
        raise
    finally:
        server = database_pid(data)
        stop_api(process)
        stop_database_if_left(server)
    load, indexes = server_log_figures(data, since)
    return Round(healthz, first, rss, used, usage, database_cpu, api_cpu, load, indexes)


def report(rounds: list[Round]) -> str:
    def median(values: Sequence[float | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{statistics.median(known):,.2f}" if known else "n/a"

    rows = [
        ("restart: until /healthz (median)", median([r.healthz for r in rounds]), "s"),
        ("restart: until /healthz (each)", " ".join(f"{r.healthz:.2f}" for r in rounds), "s"),
        ("restart: until a lookup answers", median([r.first_lookup for r in rounds]), "s"),
        ("restart: database CPU", median([r.database_cpu for r in rounds]), "s"),
        ("restart: API process CPU", median([r.api_cpu for r in rounds]), "s"),
        ("database: loading its files", median([r.load for r in rounds]), "s"),
        ("database: of which building indexes", median([r.indexes for r in rounds]), "s"),
        ("database RSS after start", f"{(rounds[-1].database_rss or 0) / MIB:,.0f}", "MiB"),
        ("database used_memory", f"{rounds[-1].used_memory / MIB:,.0f}", "MiB"),
    ]
    rows += [(f"GRAPH.MEMORY {k}", str(v), "MB") for k, v in rounds[-1].graph_memory.items()]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>12}  {c}" for a, b, c in rows)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.restart",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, required=True, help="an existing store")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compact", action="store_true", help="compact the AOF first")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    data = args.data.resolve()
    if database_pid(data) is not None:
        raise SystemExit(f"a database server is running for {data}: stop what uses it first")
    if args.compact:
        print(f"AOF rewrite: {asyncio.run(compact(data)):.1f} s", flush=True)
    number = asyncio.run(sample_number(data))
    descriptor, log_name = tempfile.mkstemp(prefix="bench-restart-", suffix=".log")
    os.close(descriptor)
    log = Path(log_name)
    try:
        rounds = [asyncio.run(one_round(data, number, log)) for _ in range(args.rounds)]
    finally:
        log.unlink(missing_ok=True)
    print(report(rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
