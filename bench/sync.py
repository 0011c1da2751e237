"""Partner-sync numbers: bulk certificate writes with the change log, feed catch-up, and
snapshot exports.

    python -m bench.sync --batches 20                 # bulk writes into a fresh seeded store
    python -m bench.sync --feed-data /tmp/bench1m     # also: read that store's whole change
                                                      # log, and snapshot every entity
    python -m bench.sync --parts export --feed-data /tmp/bench1m   # only the snapshots
    python -m bench.sync --parts writes --appendfsync always,everysec   # the cost of fsync
                                                      # on every write, side by side

Bulk writes go through the same operation the API's issueCertificates runs (validation,
authorisation, reference checks, the atomic batch with its hash-chained changes, and the
credit rescoring of the institutions concerned), 1,000 certificates a batch; the store alone
is timed too. Catch-up reads the change log from seq 0 to the head in pages of 1,000, through
the store port and then through the GraphQL feed and the NDJSON stream as a partner would.
Snapshots stream every exported entity at the head over NDJSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph.clock import registry_today
from graph.embedded import DEFAULT_APPENDFSYNC
from graph.embedded_files import PID_NAME, read_pid
from graph.open import open_store
from graph.port import GraphStore
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.http.heap import freeze_startup_heap
from registry.operations import convert, writes
from registry.operations.refusals import validate_batch
from registry.operations.seeding import SEED_PRINCIPAL, load_seeds
from registry.operations.snapshots import SNAPSHOT_ENTITIES
from registry.records import CertificateRecord
from registry.schema.pagination import encode_cursor
from registry.settings import Settings

__all__ = ["catch_up_rows", "export_rows", "main", "writes_rows"]

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ISSUER = "121101064193791361"  # CCSC in the seeds
HOLDERS = ("12210211760664248H", "122102044044617942", "1221021194751846XH")  # seeded holders
WRITE_TARGET = 20_000.0  # certificates per second
CATCH_UP_TARGET_S = 60.0  # for 1,000,000 changes
EXPORT_TARGET = 100_000.0  # snapshot records per second
# Below this many records an export's time is its request's fixed cost (authorisation, the
# scope and log checks: ~4 ms), not a rate: such entities get their time and no verdict.
RATED_FROM = 10_000
BATCH = 1000


def _rows(batch: int) -> list[dict[str, object]]:
    return [
        {
            "number": f"BENCH{batch:04d}N{n:05d}",
            "family": "MANAGEMENT_SYSTEM",
            "standard": "GB/T 19001-2016/ISO 9001:2015",
            "scope": "检验检测服务",
            "issuedOn": "2026-10-08",
            "expiresOn": "2029-10-07",
            "issuer": ISSUER,
            "holder": HOLDERS[n % len(HOLDERS)],
        }
        for n in range(BATCH)
    ]


async def _bulk(stores: Sequence[GraphStore], batches: int) -> list[tuple[float, float]]:
    """For each store: certificates per second through the write operation, then through the
    store alone. Each batch goes to every store in turn, so that whatever else runs on the
    machine slows them alike and their figures compare."""
    today = registry_today()
    spent = [[0.0, 0.0] for _ in stores]
    for batch in range(batches):
        for n, store in enumerate(stores):
            start = time.perf_counter()
            records = validate_batch(CertificateRecord, _rows(batch), key=lambda r: r.number)
            await writes.issue_certificates(store, SEED_PRINCIPAL, records, today=today)
            spent[n][0] += time.perf_counter() - start
    for batch in range(batches):
        rows = validate_batch(CertificateRecord, _rows(batches + batch), key=lambda r: r.number)
        models = [convert.certificate_model(r) for r in rows]
        for n, store in enumerate(stores):
            start = time.perf_counter()
            await store.issue_certificates(models, actor="bench")
            spent[n][1] += time.perf_counter() - start
    written = batches * BATCH
    return [(written / operation, written / store_only) for operation, store_only in spent]


@dataclass
class _Spent:
    """Wall seconds, this process's CPU seconds and the database server's, over a span: on
    a shared machine the CPU per record says what the code costs when the wall time does
    not."""

    wall: float = 0.0
    python: float = 0.0
    server: float = 0.0
    workers: float = 0.0  # this process's children but the server (the export workers)


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state first); none when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _cpu(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def _server_cpu(data: str) -> float:
    """The embedded database server's CPU seconds so far (0 when it cannot be read)."""
    return _cpu(_stat(read_pid(Path(data) / PID_NAME) or 0))


def _workers_cpu(data: str) -> float:
    """The CPU seconds so far of this process's live children but the database server."""
    server, parent = str(read_pid(Path(data) / PID_NAME)), str(os.getpid())
    children = (_stat(pid) for pid in os.listdir("/proc") if pid.isdigit() and pid != server)
    return sum(_cpu(fields) for fields in children if fields and fields[1] == parent)


@contextlib.contextmanager
def _metered(data: str) -> Iterator[_Spent]:
    spent = _Spent()
    wall, python, server = time.perf_counter(), time.process_time(), _server_cpu(data)
    workers = _workers_cpu(data)
    try:
        yield spent
    finally:
        spent.wall = time.perf_counter() - wall
        spent.python = time.process_time() - python
        spent.server = _server_cpu(data) - server
        spent.workers = _workers_cpu(data) - workers


def _cpu_each(spent: _Spent, count: int) -> str:
    """CPU per item: this process's + its workers' (when they ran) + the database's, in µs."""
    each = 1e6 / max(count, 1)
    workers = f"+{spent.workers * each:.1f}w" if spent.workers else ""
    return f"cpu {spent.python * each:.1f}{workers}+{spent.server * each:.1f} µs"


async def _catch_up(data: str) -> tuple[int, float]:
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        # From where the kept log starts: a bulk-loaded store's starts at its checkpoint.
        after, count = (await store.change_log_start()).seq, 0
        start = time.perf_counter()
        while page := await store.get_changes(after=after, limit=BATCH):
            count += len(page)
            after = page[-1].seq
        return count, time.perf_counter() - start
    finally:
        await store.close()


FEED_PAGE = """query($after: String) { changes(first: 1000, after: $after) {
  edges { node { seq entity key op at actor data hash region } }
  pageInfo { hasNextPage endCursor } } }"""


@asynccontextmanager
async def _partner_client(
    data: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], int]]:
    """The real app over ``data`` in this process (HTTP parsing left out), a partner key,
    and the seq the kept log starts after (a partner with no cursor takes a snapshot)."""
    store = await open_store(f"falkordb+embedded://{data}")
    try:
        kept_from = (await store.change_log_start()).seq
        key = await create_api_key(store, role=Role.PARTNER, label="bench", actor="bench")
        app = create_app(Settings(load_seeds_when_empty=False), store=store)
        freeze_startup_heap()  # as the served app does once started
        await store.prepare_exports()  # as the served app does in the background
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=600
        ) as client:
            yield client, {"Authorization": f"Bearer {key}"}, kept_from
    finally:
        await store.close()


async def _count_lines(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> int:
    """The lines of an NDJSON stream, counted in its bytes as a partner saving it would
    (every line, the last included, ends with a newline). Any answer but 200 breaks the
    bench: a one-line error body counted as one record made a 503 look like a small export."""
    count = 0
    async with client.stream("GET", path, headers=headers) as got:
        if got.status_code != 200:
            body = (await got.aread())[:200].decode(errors="replace")
            raise RuntimeError(f"GET {path} answered {got.status_code}: {body}")
        async for chunk in got.aiter_bytes():
            count += chunk.count(b"\n")
    return count


async def _catch_up_over_api(data: str, *, ndjson: bool) -> tuple[int, _Spent]:
    """The catch-up as a partner does it: GraphQL pages of 1,000 following endCursor, or the
    NDJSON delta stream."""
    async with _partner_client(data) as (client, headers, kept_from):
        with _metered(data) as spent:
            if ndjson:
                path = f"/export/changes.ndjson?after={kept_from}"
                count = await _count_lines(client, path, headers)
                return count, spent
            after, count = encode_cursor(str(kept_from)), 0
            while True:
                response = await client.post(
                    "/graphql",
                    json={"query": FEED_PAGE, "variables": {"after": after}},
                    headers=headers,
                )
                page = response.json()["data"]["changes"]
                count += len(page["edges"])
                if not page["pageInfo"]["hasNextPage"]:
                    return count, spent
                after = page["pageInfo"]["endCursor"]


async def _snapshot_export(data: str) -> list[tuple[str, int, _Spent]]:
    """Every exported entity's snapshot at the head, over NDJSON as a partner reads it."""
    timings: list[tuple[str, int, _Spent]] = []
    async with _partner_client(data) as (client, headers, _):
        # One request first, as a served app has had: the first one builds what the app
        # makes lazily (~20 ms), which would otherwise be charged to the first entity.
        await _count_lines(client, f"/export/{SNAPSHOT_ENTITIES[0]}.ndjson", headers)
        for entity in SNAPSHOT_ENTITIES:
            with _metered(data) as spent:
                count = await _count_lines(client, f"/export/{entity}.ndjson", headers)
            timings.append((entity, count, spent))
    return timings


async def run(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if "writes" in args.parts:
        rows += await writes_rows(args.batches, appendfsync=args.appendfsync.split(","))
    if args.feed_data and "catch-up" in args.parts:
        rows += await catch_up_rows(args.feed_data)
    if args.feed_data and "export" in args.parts:
        rows += await export_rows(args.feed_data)
    return rows


async def writes_rows(
    batches: int, *, appendfsync: Sequence[str] = (DEFAULT_APPENDFSYNC,)
) -> list[tuple[str, str, str, str]]:
    """Bulk-write speeds into a fresh seeded store per fsync policy in ``appendfsync`` (the
    default, ``always``, is what the registry runs with), their batches interleaved."""
    async with contextlib.AsyncExitStack() as stack:
        stores = []
        for policy in appendfsync:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-sync-"))
            store = await open_store(f"falkordb+embedded://{scratch}?appendfsync={policy}")
            stack.push_async_callback(store.close)
            await load_seeds(store, SEEDS, secret=b"bench", today=registry_today())
            stores.append(store)
        speeds = await _bulk(stores, batches)
    rows = []
    for policy, (operation, store_only) in zip(appendfsync, speeds, strict=True):
        verdict = "pass" if operation >= WRITE_TARGET else "FAIL"
        fsync = f" (fsync {policy})"
        rows.append(
            (f"issueCertificates operation{fsync}", f"{operation:,.0f}/s", ">= 20,000/s", verdict)
        )
        rows.append(
            (f"store.issue_certificates only{fsync}", f"{store_only:,.0f}/s", "(no target)", "")
        )
    return rows


async def catch_up_rows(data: str) -> list[tuple[str, str, str, str]]:
    rows = []
    count, seconds = await _catch_up(data)
    rows.append(_catch_up_row("store", count, seconds, ""))
    for how, ndjson in (("NDJSON", True), ("GraphQL", False)):
        count, spent = await _catch_up_over_api(data, ndjson=ndjson)
        rows.append(_catch_up_row(how, count, spent.wall, f", {_cpu_each(spent, count)}"))
    return rows


def _catch_up_row(how: str, count: int, seconds: float, cpu: str) -> tuple[str, str, str, str]:
    """The time per 1M changes against the target; a store with no logged changes (a bulk
    load and nothing since) has no rate, as an entity with no records has none to export."""
    if not count:
        return (f"catch-up ({how}), none", f"{seconds * 1000:,.0f} ms", "", "")
    per_million = seconds * 1_000_000 / count
    verdict = "pass" if per_million <= CATCH_UP_TARGET_S else "FAIL"
    timing = f"{seconds:.1f} s ({per_million:.1f} s/1M{cpu})"
    return (f"catch-up ({how}), {count:,}", timing, "<= 60 s per 1M", verdict)


def _export_row(name: str, count: int, spent: _Spent) -> tuple[str, str, str, str]:
    """Records per second against the target; an entity with no records has no rate."""
    if not count:
        return (f"{name}, none", f"{spent.wall * 1000:,.0f} ms", "", "")
    rate = count / spent.wall
    if count < RATED_FROM:
        took = f"{spent.wall * 1000:,.1f} ms ({rate:,.0f}/s)"
        return (f"{name}, {count:,}", took, f"(rated from {RATED_FROM:,})", "")
    verdict = "pass" if rate >= EXPORT_TARGET else "FAIL"
    value = f"{rate:,.0f}/s ({_cpu_each(spent, count)})"
    return (f"{name}, {count:,}", value, ">= 100,000/s", verdict)


async def export_rows(data: str) -> list[tuple[str, str, str, str]]:
    """Each entity's snapshot against the target, then the whole export's."""
    timings = await _snapshot_export(data)
    rows = [_export_row(f"snapshot {entity}", count, spent) for entity, count, spent in timings]
    total = _Spent(
        sum(spent.wall for *_, spent in timings),
        sum(spent.python for *_, spent in timings),
        sum(spent.server for *_, spent in timings),
        sum(spent.workers for *_, spent in timings),
    )
    rows.append(_export_row("snapshot export", sum(count for _, count, _ in timings), total))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--batches", type=int, default=20, help="batches of 1,000 to write")
    parser.add_argument("--feed-data", help="a generated store to read the log and snapshots of")
    parser.add_argument(
        "--parts",
        default="writes,catch-up,export",
        help="comma-separated: writes, catch-up (needs --feed-data), export (needs --feed-data)",
    )
    parser.add_argument(
        "--appendfsync",
        default=DEFAULT_APPENDFSYNC,
        help="comma-separated fsync policies to time the writes under, a store each, their "
        f"batches interleaved (default {DEFAULT_APPENDFSYNC}, what the registry runs with)",
    )
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args))
    print(f"{'measure':44} {'value':>40} {'target':>16}  result")
    for name, value, target, verdict in rows:
        print(f"{name:44} {value:>40} {target:>16}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
