"""Bulk writes against the engine's own rate (issue 17, item 1).

    python -m bench.writes --batches 6             # the ratio table
    python -m bench.writes --batches 3 --profile   # and where one batch's time goes
    python -m bench.writes --batches 4 --variants  # the store's statement, reshaped

The registry's app is served in this process over the seeded store (HTTP parsing left out,
as in bench.sync). In the same run, batch by batch in turn, it times (a) ``issueCertificates``
through GraphQL with an ADMIN key, 1,000 certificates a batch, and (b) the bare
``UNWIND $rows AS r CREATE (c:X) SET c = r`` of the same 1,000 input rows on the same
FalkorDB connection, so that whatever else runs on the machine slows both alike. The ratio
a/b is the issue's measure (target >= 0.3). (c) is the floor: one statement doing the least
any registry write of these rows must do (a certificate node with the input's fields, its
number unique, the edges to its issuer and holder; no status, log, version or check). Its
ratio to (b) bounds what any design of the write path could reach (design note 45).

``--profile`` then wraps the steps of one more batch in wall-clock spans (inclusive: a span
holds the spans it calls) and prints them with the batch's total.

``--variants`` times ``store.issue_certificates`` alone (no GraphQL, no checks above the
store) with its statement as it is and reshaped: without the per-row ``Change`` nodes, and
with one node per batch holding the rows' entries as parallel lists, each against the bare
statement, batch by batch in turn. The reshaped ones write no feed the registry can read:
evidence for docs/design-notes.md, not a mode of the store.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from graph.clock import registry_today
from graph.cypher import certificates as certificate_cypher
from graph.cypher.changes import _APPEND
from graph.falkordb_store import FalkorDBStore
from graph.open import open_store
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.http.heap import freeze_startup_heap
from registry.operations import convert
from registry.operations.refusals import validate_batch
from registry.operations.seeding import load_seeds
from registry.records import CertificateRecord
from registry.settings import Settings

__all__ = ["main"]

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ISSUER = "121101064193791361"  # CCSC in the seeds
HOLDERS = ("12210211760664248H", "122102044044617942", "1221021194751846XH")
BATCH = 1000
TARGET_RATIO = 0.3

ISSUE = """mutation($input: [CertificateInput!]!) { issueCertificates(input: $input) {
  __typename ... on IssueCertificatesSuccess {
    certificates { number version } receipt { written firstSeq lastSeq } }
  ... on MutationError { code message } } }"""
BARE = "UNWIND $rows AS r CREATE (c:X) SET c = r"

# Where one batch goes, outermost first: (module, attribute) of each span.
SPANS = (
    ("strawberry.schema.schema_converter", "convert_arguments"),
    ("registry.resolvers.mutations", "_perform"),
    ("registry.resolvers.mutations", "_certificates"),
    ("registry.operations.writes", "_write"),
    ("registry.resolvers.mutations", "validate_batch"),
    ("registry.operations.writes", "authorize_rows"),
    ("registry.operations.writes", "certificates_to_issue"),
    ("registry.operations.writes", "rescore"),
    ("graph.cypher_store.base", "_check_guard"),
    ("graph.cypher_store.base", "chain_changes"),
    ("graph.cypher_store.base", "prior_documents"),
    ("graph.falkordb_store", "written_digests"),
    ("graph.falkordb_store.FalkorDBStore", "_read"),
    ("graph.falkordb_store.FalkorDBStore", "_write"),
    ("graph.falkordb_store.FalkorDBStore", "_documents"),
)


def _rows(batch: int) -> list[dict[str, object]]:
    return [
        {
            "number": f"WB{batch:04d}N{n:05d}",
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


async def _issue(client: httpx.AsyncClient, headers: dict[str, str], batch: int) -> float:
    start = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": ISSUE, "variables": {"input": _rows(batch)}}, headers=headers
    )
    seconds = time.perf_counter() - start
    answer = response.json()
    if answer.get("errors"):
        raise RuntimeError(f"batch {batch}: {answer['errors']}")
    payload = answer["data"]["issueCertificates"]
    if payload["__typename"] != "IssueCertificatesSuccess":
        raise RuntimeError(f"batch {batch} refused: {payload}")
    return seconds


async def _bare(store: FalkorDBStore, batch: int) -> float:
    rows = _rows(10_000 + batch)
    start = time.perf_counter()
    await store._housekeeping(BARE, {"rows": rows})
    return time.perf_counter() - start


_PER_ROW_CHANGE = _APPEND.format(region="c.region")
_ONE_CHANGE_PER_BATCH = """
WITH collect(row.change) AS entries, collect(c.region) AS regions
CREATE (batch:ChangeBatch)
SET batch.firstSeq = entries[0].seq, batch.at = entries[0].at, batch.actor = entries[0].actor,
    batch.seqs = [e IN entries | e.seq], batch.entities = [e IN entries | e.entity],
    batch.keys = [e IN entries | e.key], batch.ops = [e IN entries | e.op],
    batch.data = [e IN entries | e.data], batch.hashes = [e IN entries | e.hash],
    batch.priors = [e IN entries | coalesce(e.prior, '')], batch.regions = regions
RETURN size(entries) AS written
"""
VARIANTS = {
    "as stored now (a Change node per row)": certificate_cypher.ISSUE_CERTIFICATES,
    "no Change nodes at all": certificate_cypher.ISSUE_CERTIFICATES.replace(
        _PER_ROW_CHANGE, "\nRETURN count(row) AS written\n"
    ),
    "one ChangeBatch node, entries as lists": certificate_cypher.ISSUE_CERTIFICATES.replace(
        _PER_ROW_CHANGE, _ONE_CHANGE_PER_BATCH
    ),
}


# The least any registry write of these rows must do: a certificate node with the input's own
# fields (the issuer and holder as edges, not strings), its number unique, and the edges to its
# issuer and holder found by their keys. No status, no log, no version, no check.
FLOOR = """
UNWIND $rows AS r
MATCH (i:Institution {uscc: r.issuer})
MATCH (o:Organization {uscc: r.holder})
CREATE (i)-[:ISSUED]->(c:FloorCertificate)-[:CERTIFIES]->(o)
SET c.number = r.number, c.family = r.family, c.standard = r.standard, c.scope = r.scope,
    c.issuedOn = r.issuedOn, c.expiresOn = r.expiresOn
RETURN count(c) AS written
"""


async def _floor(store: FalkorDBStore, batch: int) -> float:
    rows = _rows(40_000 + batch)
    start = time.perf_counter()
    written = await store._housekeeping(FLOOR, {"rows": rows})
    seconds = time.perf_counter() - start
    if written[0]["written"] != BATCH:
        raise RuntimeError(f"floor batch {batch} wrote {written}")
    return seconds


async def _prepare_floor(store: FalkorDBStore) -> None:
    """The floor's certificates under a unique index of their own, as the store's are."""
    await store._housekeeping("CREATE INDEX FOR (c:FloorCertificate) ON (c.number)", {})
    await store._command(
        "GRAPH.CONSTRAINT", "CREATE", store._graph_name, "UNIQUE", "NODE", "FloorCertificate",
        "PROPERTIES", "1", "number",
    )  # fmt: skip


async def _variants(store: FalkorDBStore, batches: int) -> None:
    """Each variant of the issue statement through ``store.issue_certificates``, its batches
    interleaved with the bare statement's and the other variants'."""
    spent: dict[str, list[float]] = defaultdict(list)
    run = FalkorDBStore._run
    timed: dict[str, float] = defaultdict(float)

    async def timed_run(self: FalkorDBStore, query: Any, statement: str, params: Any) -> Any:
        start = time.perf_counter()
        try:
            return await run(self, query, statement, params)
        finally:
            if "$expectedSeq" in statement:
                timed["statement"] = time.perf_counter() - start

    FalkorDBStore._run = timed_run  # type: ignore[method-assign]
    for batch in range(batches):
        for n, (name, statement) in enumerate(VARIANTS.items()):
            rows = _rows(20_000 + batch * 10 + n)
            records = validate_batch(CertificateRecord, rows, key=lambda r: r.number)
            models = [convert.certificate_model(r) for r in records]
            certificate_cypher.ISSUE_CERTIFICATES = statement
            start = time.perf_counter()
            await store.issue_certificates(models, actor="bench")
            spent[name].append(time.perf_counter() - start)
            spent[f"statement of {name}"].append(timed["statement"])
            spent[f"bare, paired with {name}"].append(await _bare(store, 30_000 + batch * 10 + n))
    FalkorDBStore._run = run  # type: ignore[method-assign]
    certificate_cypher.ISSUE_CERTIFICATES = VARIANTS["as stored now (a Change node per row)"]
    print(f"\n{'statement variant (medians)':40} {'store call':>11} {'ratio':>6} {'statement':>10}")
    for name in VARIANTS:
        issued, bare = spent[name], spent[f"bare, paired with {name}"]
        ratio = _median(_ratios(issued, bare))
        alone = _median(_ratios(spent[f"statement of {name}"], bare))
        print(f"{name:40} {BATCH / _median(issued):>9,.0f}/s {ratio:>6.3f} {alone:>10.3f}")
    print("(ratio: the bare statement's time over the store call's; statement: over the")
    print(" issue statement's alone, the checks, hashing and digests left out)")


def _span(spent: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return timed_async

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return timed


def _wrap_statements(spent: dict[str, float]) -> None:
    """Time each statement the store sends, named by its first words."""
    run = FalkorDBStore._run

    async def timed(self: FalkorDBStore, query: Any, statement: str, params: Any) -> Any:
        start = time.perf_counter()
        try:
            return await run(self, query, statement, params)
        finally:
            words = " ".join(statement.split())[:60]
            spent[f"  statement: {words}"] += time.perf_counter() - start

    FalkorDBStore._run = timed  # type: ignore[method-assign]


def _wrap_spans(spent: dict[str, float]) -> None:
    for where, name in SPANS:
        module_name = where.removesuffix(".FalkorDBStore")
        target: Any = importlib.import_module(where) if where == module_name else FalkorDBStore
        label = f"{where.rsplit('.', 1)[-1]}.{name}"
        setattr(target, name, _span(spent, label, getattr(target, name)))


async def run(batches: int, *, profile: bool, variants: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as scratch:
        store = await open_store(f"falkordb+embedded://{scratch}")
        assert isinstance(store, FalkorDBStore)
        try:
            await load_seeds(store, SEEDS, secret=b"bench", today=registry_today())
            key = await create_api_key(store, role=Role.ADMIN, label="bench", actor="bench")
            app = create_app(Settings(load_seeds_when_empty=False), store=store)
            freeze_startup_heap()  # as the served app does once started
            headers = {"Authorization": f"Bearer {key}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=600
            ) as client:
                await _prepare_floor(store)
                await _issue(client, headers, 9_000)  # warm-up, not counted
                await _bare(store, 9_000)
                await _floor(store, 9_000)
                issued, bare, floor = [], [], []
                for batch in range(batches):
                    issued.append(await _issue(client, headers, batch))
                    bare.append(await _bare(store, batch))
                    floor.append(await _floor(store, batch))
                _table(issued, bare, floor)
                if variants:
                    await _variants(store, batches)
                if profile:
                    spent: dict[str, float] = defaultdict(float)
                    _wrap_spans(spent)
                    _wrap_statements(spent)
                    total = await _issue(client, headers, batches)
                    print(f"\none batch of {BATCH:,}, wall {total * 1000:,.0f} ms; spans:")
                    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
                        print(f"  {name:72} {seconds * 1000:7,.0f} ms {seconds / total:4.0%}")
        finally:
            await store.close()


def _median(values: Sequence[float]) -> float:
    """The upper median: one measured batch, never the mean of two."""
    return sorted(values)[len(values) // 2]


def _ratios(timed: Sequence[float], bare: Sequence[float]) -> list[float]:
    """Each batch's bare time over its paired timed one, smallest first."""
    return sorted(b / t for t, b in zip(timed, bare, strict=True))


def _table(issued: Sequence[float], bare: Sequence[float], floor: Sequence[float]) -> None:
    ratios = _ratios(issued, bare)
    ratio, floor_ratio = _median(ratios), _median(_ratios(floor, bare))
    verdict = "pass" if ratio >= TARGET_RATIO else "FAIL"
    print(f"{'measure (median of ' + str(len(issued)) + ' batches of 1,000)':52} {'value':>14}")
    print(f"{'(a) issueCertificates through GraphQL':52} {BATCH / _median(issued):>12,.0f}/s")
    print(
        f"{'(b) bare UNWIND … CREATE, same rows, same server':52} {BATCH / _median(bare):>12,.0f}/s"
    )
    print(f"{'(c) floor: node, unique number, two edges':52} {BATCH / _median(floor):>12,.0f}/s")
    print(f"{'ratio a/b (pairwise median), target >= 0.3':52} {ratio:>14.3f}  {verdict}")
    print(f"{'ratio a/b spread (min … max)':52} {ratios[0]:>6.3f} … {ratios[-1]:.3f}")
    print(f"{'ratio c/b (pairwise median): the least a write does':52} {floor_ratio:>14.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__)
    parser.add_argument("--batches", type=int, default=6, help="timed batches of 1,000 each way")
    parser.add_argument("--profile", action="store_true", help="also time one batch's steps")
    parser.add_argument(
        "--variants", action="store_true", help="also time the store's statement reshaped"
    )
    args = parser.parse_args(argv)
    asyncio.run(run(args.batches, profile=args.profile, variants=args.variants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
