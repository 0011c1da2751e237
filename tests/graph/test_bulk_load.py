"""The bulk load (graph.bulk_graph, graph.falkordb_bulk) against the logged writes it stands
in for: the same registry written both ways leaves the same nodes, properties, edges and
seqs; a load is all or nothing, only into an empty store, and the log goes on from it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from graph import bulk_graph
from graph.bulk_data import BulkData, BulkReferenceError, CertificateSource, CreditScoring
from graph.bulk_graph import BulkGraph
from graph.bulk_workers import PreparedBatches
from graph.changelog import first_broken_link
from graph.clock import registry_today
from graph.cypher_store import CypherStore
from graph.errors import Conflict, StoreNotEmpty
from graph.falkordb_bulk import STAGING_SUFFIX, _payload
from graph.mapping import from_row
from graph.models import (
    Certificate,
    CertificateQuery,
    CreditFacts,
    InstitutionQuery,
    Region,
    StatusChange,
    StoredCredit,
)
from graph.open import open_store
from graph.service_models import ServiceAssessment
from registry.operations import golden_copy
from registry.operations.credit import bulk_scoring, recompute_all
from registry.operations.export_files import checked_lines, parsed
from registry.operations.golden_copy import export_to, import_from
from registry.operations.seeding import load_seeds
from registry.synthetic import bulk_data, generate, plan_roster
from tests.conftest import SECRET, TODAY, embedded_url
from tests.service_requests import late_request

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# What differs by when and how a record was written, not by what it is.
_WHEN = frozenset({"recordedAt", "hash", "at"})
_KEY = "coalesce({n}.uscc, {n}.number, {n}.code, {n}.id, {n}.key, '')"
_NODES = """
MATCH (n) WHERE NOT n:Change AND NOT n:ChangeCounter
RETURN labels(n) AS labels, properties(n) AS props
"""
_EDGES = f"""
MATCH (a)-[e]->(b)
RETURN labels(a)[0] AS a, {_KEY.format(n="a")} AS ak, type(e) AS type, labels(b)[0] AS b,
       {_KEY.format(n="b")} AS bk, coalesce(b.seq, -1) AS bseq
"""


async def _contents(
    store: CypherStore, when: frozenset[str] = _WHEN
) -> tuple[list[str], list[str]]:
    """Every node (its labels and properties) and edge (its ends by key), sorted; region
    tallies that sum to nothing are left out (the logged writes leave such buckets behind
    when a later write cancels an earlier one; they count nothing)."""
    nodes = []
    for row in await store._read(_NODES, {}):
        props = {k: v for k, v in row["props"].items() if k not in when}  # type: ignore[attr-defined]
        if (
            row["labels"] == ["RegionTally"]
            and not any(props[k] for k in ("issued", "valid", "institutions"))
            and not any(props.get(k) for k in ("issuedDays", "validDays", "institutionDays"))
        ):
            continue
        nodes.append(json.dumps([row["labels"], props], sort_keys=True, ensure_ascii=False))
    edges = [
        json.dumps(list(row.values()), ensure_ascii=False) for row in await store._read(_EDGES, {})
    ]
    return sorted(nodes), sorted(edges)


@pytest.mark.parametrize(
    ("per_command", "scored_on"),
    [
        (bulk_graph.ENTITIES_PER_COMMAND, registry_today()),
        # A day far from the load's: the certificates' statuses are read from their steps.
        (5000, date(2025, 3, 1)),
    ],
)
async def test_a_bulk_load_leaves_what_the_logged_writes_leave(
    falkordb_dir: Path, per_command: int, scored_on: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 5,000 nodes and edges a command, the load is sent as several commands, some of
    # them joined: the ids an edge names in a later command are the ones it meant.
    monkeypatch.setattr(bulk_graph, "ENTITIES_PER_COMMAND", per_command)
    logged = await open_store(embedded_url(falkordb_dir))
    bulk = await open_store(embedded_url(falkordb_dir))
    try:
        sizes = {"institutions": 60, "certificates": 1200, "seed": 5, "progress": False}
        first = await generate(logged, **sizes, bulk=False)  # type: ignore[arg-type]
        # The load scores as it loads; the logged writes are scored by a rescore after them.
        rescored = await recompute_all(logged, scored_on)
        second = await generate(bulk, **sizes, credit=bulk_scoring(scored_on))  # type: ignore[arg-type]
        assert first.status_changes > 0
        assert first.complaints > 0
        assert second.rows == first.rows
        assert first.credit_scores is None
        assert second.credit_scores == rescored > 10
        assert await bulk.change_head() == await bulk.change_log_start()  # loaded, not logged
        assert (await bulk.change_head()).seq == (await logged.change_head()).seq
        nodes, edges = await _contents(bulk)
        assert (nodes, edges) == await _contents(logged)
        assert len(nodes) > 3000
        assert len(edges) > 3000
        assert any('"WITHDREW"' in edge for edge in edges)  # withdrawals made both ways
    finally:
        await logged.close()
        await bulk.close()


async def test_a_bulk_load_refuses_a_store_with_records(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    try:
        await store.upsert_regions([Region("210000", "辽宁省", "PROVINCE")], actor="t")
        head = await store.change_head()
        with pytest.raises(StoreNotEmpty):
            await store.bulk_load(_data([Region("220000", "吉林省", "PROVINCE")], []), actor="t")
        assert [r.code for r in await store.get_regions()] == ["210000"]
        assert await store.change_head() == head
    finally:
        await store.close()


async def test_a_failed_bulk_load_leaves_the_store_empty_and_writable(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    try:
        orphan = Certificate(
            "C-1", "PRODUCT", "GB 1", "scope", date(2026, 1, 1), date(2029, 1, 1), "X", "Y"
        )
        with pytest.raises(BulkReferenceError):
            await store.bulk_load(
                _data([Region("210000", "辽宁省", "PROVINCE")], [orphan]), actor="t"
            )
        assert await store.get_regions() == []
        assert (await store.change_head()).seq == 0
        await store.upsert_regions([Region("210000", "辽宁省", "PROVINCE")], actor="t")
        assert (await store.change_head()).seq == 1
    finally:
        await store.close()


async def test_a_key_twice_in_a_load_is_refused_and_nothing_is_loaded(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    try:
        twice = [Region("210000", "辽宁省", "PROVINCE"), Region("210000", "辽宁", "PROVINCE")]
        with pytest.raises(Conflict, match="210000 appears twice"):
            await store.bulk_load(_data(twice, []), actor="t")
        assert await store.get_regions() == []
    finally:
        await store.close()


async def test_the_log_goes_on_from_a_bulk_load(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    try:
        await generate(store, institutions=10, certificates=50, seed=2, progress=False)
        start = await store.change_log_start()
        assert start.seq > 0
        assert await store.get_changes(after=0, limit=10) == []
        [certificate] = await store.list_certificates(
            CertificateQuery(today=date(2026, 12, 4)), after=None, limit=1
        )
        change = StatusChange(certificate.number, "SUSPENDED", "test", date(2026, 12, 1), "", "t")
        await store.change_certificate_statuses([change], actor="t")
        [logged] = await store.get_changes(after=start.seq, limit=10)
        assert logged.seq == start.seq + 1
        assert first_broken_link([logged], previous=start.hash) is None
    finally:
        await store.close()


def _data(regions: list[Region], certificates: list[Certificate]) -> BulkData:
    return BulkData(
        regions=regions,
        institutions=[],
        organizations=[],
        accreditations=[],
        certificates=[(certificates, [])],
        certificate_count=len(certificates),
    )


@pytest.mark.parametrize("workers", [0, 2])
async def test_an_import_into_an_empty_store_is_loaded_as_the_port_would_write_it(
    falkordb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """With workers, the certificates are parsed from the file in those processes: here a
    file with CRLF line ends and a blank line, which the manifest's digest accepts."""
    source = await open_store(embedded_url(falkordb_dir))
    stores = [await open_store(embedded_url(falkordb_dir)) for _ in range(2)]
    try:
        await generate(source, institutions=40, certificates=600, seed=7, progress=False)
        today = date(2026, 12, 4)
        # A station's request with stages closed in and past their limits: written through
        # the port after a bulk load, so its station is scored again (time limits).
        [station] = await source.list_institutions(
            InstitutionQuery(kind="QUALITY_SERVICE_STATION"), after=None, limit=1
        )
        request = late_request("SR-0000000000000001", station.uscc)
        await source.put_service_requests([request], actor="t")
        await export_to(source, tmp_path)
        if workers:
            # Started by the import on the file's first runs, before the load, which then
            # builds the batches in them.
            monkeypatch.setattr(golden_copy, "default_workers", lambda certificates: workers)
            file = tmp_path / "Certificate.ndjson"
            lines = file.read_bytes().splitlines()
            file.write_bytes(b"\r\n".join([*lines[:300], b"", *lines[300:]]) + b"\r\n")
        written = [
            await import_from(store, tmp_path, actor="t", today=today, bulk=bulk)
            for store, bulk in zip(stores, (False, True), strict=True)
        ]
        assert written[1] == written[0]
        assert await stores[1].change_log_start() != await stores[0].change_log_start()
        # The credit scores recomputed after an import are written in an order that follows
        # how each store lists its institutions: the change that set each score
        # (creditSeq) may differ, never the score.
        when = _WHEN | {"creditSeq"}
        assert await _contents(stores[1], when) == await _contents(stores[0], when)
    finally:
        for store in (source, *stores):
            await store.close()


# A station of the seeds and its five-star service certificate in force on TODAY.
_STATION, _STARRED = "12210211760664248H", "CCSC23SC0102R2"
_UNCONFIRMED_HOLDER, _UNCONFIRMED = "122102044044617942", "CCSC23SC0202R2"


@pytest.mark.parametrize("day", [TODAY, date(2021, 6, 30)])
async def test_a_load_gathers_the_credit_facts_the_store_then_reads(
    falkordb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, day: date
) -> None:
    # The seeds hold what the synthetic registry does not: stations holding service
    # certificates with stars (an export keeps each certificate's status, not its steps).
    source = await open_store(embedded_url(falkordb_dir))
    store = await open_store(embedded_url(falkordb_dir))
    gathered: list[CreditFacts] = []
    monkeypatch.setattr(
        golden_copy,
        "bulk_scoring",
        lambda on, leave, assessed: _recording(on, gathered, assessed),
    )
    try:
        await load_seeds(source, SEEDS, secret=SECRET, today=TODAY)
        # A station's only five-star certificate in force, suspended: its stars no longer count.
        suspended = StatusChange(_STARRED, "SUSPENDED", "test", date(2026, 11, 1), "", "t")
        await source.change_certificate_statuses([suspended], actor="t")
        await export_to(source, tmp_path)
        files = checked_lines(tmp_path)
        contents = {entity: parsed(file.lines) for entity, file in files.items()}
        # Another station's assessment its regulator never confirmed: its stars do not count.
        for doc in contents["ServiceAssessment"]:
            if doc["certificate"] == _UNCONFIRMED:
                doc["confirmedOn"] = doc["confirmation"] = None
        assert await golden_copy._bulk_import(store, contents, files["Certificate"], None, "t", day)
        # The assessments follow the load through the port, as an import writes them: the
        # load counted the stars of the certificates they assess.
        assessments = contents["ServiceAssessment"]
        await store.record_service_assessments(
            [from_row(ServiceAssessment, d) for d in assessments], actor="t"
        )
        read = await _facts_read(store, gathered, day)
        assert read == {f.uscc: _facts(f) for f in gathered}
        if day == TODAY:
            assert read[_STATION][7] is None
            assert read[_UNCONFIRMED_HOLDER][7] is None
            assert any(f[7] for f in read.values())  # stars
            assert any(f[6] for f in read.values())  # withdrawn
            assert any(f[1] for f in read.values())  # ratings valid on the day
    finally:
        await source.close()
        await store.close()


# Days around the synthetic certificates' later steps (2017 to August 2026): a status on
# the day is then read from the steps, not from the status as of the load. The store's
# reading is taken from the same registry written through the port: reads that walk a
# bulk-loaded certificate's steps are what preceded the engine's memory faults (design
# note 48), and the contract test compares the two stores node for node.
@pytest.mark.parametrize("day", [date(2019, 1, 1), date(2025, 10, 1), date(2026, 8, 22)])
async def test_a_load_reads_statuses_on_the_scoring_day_from_the_steps(
    falkordb_dir: Path, day: date
) -> None:
    bulk = await open_store(embedded_url(falkordb_dir))
    logged = await open_store(embedded_url(falkordb_dir))
    gathered: list[CreditFacts] = []
    try:
        sizes = {"institutions": 60, "certificates": 1200, "seed": 5, "progress": False}
        await generate(bulk, **sizes, credit=_recording(day, gathered))  # type: ignore[arg-type]
        await generate(logged, **sizes, bulk=False)  # type: ignore[arg-type]
        read = await _facts_read(logged, gathered, day)
        assert read == {f.uscc: _facts(f) for f in gathered}
        assert any(f[6] for f in read.values())  # withdrawn on the day
    finally:
        await bulk.close()
        await logged.close()


def _recording(
    day: date, into: list[CreditFacts], assessed: frozenset[str] = frozenset()
) -> CreditScoring:
    """Scoring that keeps the facts it is given and stores nothing."""

    def record(facts: Sequence[CreditFacts]) -> list[StoredCredit]:
        into.extend(facts)
        return []

    return CreditScoring(day, record, assessed)


async def _facts_read(
    store: CypherStore, gathered: list[CreditFacts], day: date
) -> dict[str, tuple[object, ...]]:
    usccs = [f.uscc for f in gathered]
    assert usccs == sorted(usccs)
    assert len(usccs) > 10
    since = date(day.year - 1, day.month, day.day).isoformat()
    read = await store.get_credit_inputs(usccs, today=day.isoformat(), evaluated_since=since)
    return {f.uscc: _facts(f) for f in read}


def _facts(facts: CreditFacts) -> tuple[object, ...]:
    """What a score reads of the facts (records by id: the store reads back fewer fields)."""
    return (
        sorted(facts.kinds),
        sorted(r.id for r in facts.ratings),
        sorted(e.id for e in facts.events),
        facts.complaints_total,
        facts.complaints_substantiated,
        facts.certificates_issued,
        facts.certificates_withdrawn,
        facts.best_service_stars,
        facts.evaluations,
        (facts.stages_met, facts.stages_late, facts.stages_overdue),
    )


def _with_during(
    data: BulkData, during: Callable[[], Awaitable[object]], loop: asyncio.AbstractEventLoop
) -> BulkData:
    """``data`` whose certificates, as the load takes them (in its builder thread), first
    run ``during`` on the store's loop: another client's read or write mid-load."""
    seen: list[object] = []

    def certificates() -> Iterator[tuple[Sequence[Certificate], Sequence[StatusChange]]]:
        seen.append(asyncio.run_coroutine_threadsafe(during(), loop).result())
        yield from data.certificates

    return dataclasses.replace(data, certificates=certificates(), complaints=[])


async def test_readers_see_nothing_of_a_load_until_it_is_whole(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    reader = await open_store(embedded_url(falkordb_dir, graph=store.graph_name))
    try:
        roster = plan_roster(seed=4, institutions=20, certificates=200)
        counted: list[int] = []

        async def count() -> None:
            counted.append(await reader.count_institutions(InstitutionQuery()))

        data = _with_during(bulk_data(roster), count, asyncio.get_running_loop())
        await store.bulk_load(data, actor="t")
        assert counted == [0]  # the institutions were sent by then, into the staging graph
        assert await reader.count_institutions(InstitutionQuery()) == 20
    finally:
        await reader.close()
        await store.close()


async def test_a_write_during_a_load_wins_and_the_load_is_refused(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    writer = await open_store(embedded_url(falkordb_dir, graph=store.graph_name))
    try:
        roster = plan_roster(seed=4, institutions=20, certificates=200)

        async def write() -> None:
            await writer.upsert_regions([Region("210000", "辽宁省", "PROVINCE")], actor="t")

        data = _with_during(bulk_data(roster), write, asyncio.get_running_loop())
        with pytest.raises(StoreNotEmpty):
            await store.bulk_load(data, actor="t")
        assert [r.code for r in await store.get_regions()] == ["210000"]
        assert await store.count_institutions(InstitutionQuery()) == 0
        assert store.graph_name + STAGING_SUFFIX not in await store.command("GRAPH.LIST")  # type: ignore[operator]
    finally:
        await writer.close()
        await store.close()


async def test_a_load_clears_what_a_crashed_load_left(falkordb_dir: Path) -> None:
    store = await open_store(embedded_url(falkordb_dir))
    try:
        left = store.client.select_graph(store.graph_name + STAGING_SUFFIX)
        await left.query("CREATE (:Institution {uscc: 'half-loaded'})")
        await generate(store, institutions=10, certificates=50, seed=2, progress=False)
        assert await store.get_institutions(["half-loaded"]) == []
        assert store.graph_name + STAGING_SUFFIX not in await store.command("GRAPH.LIST")  # type: ignore[operator]
    finally:
        await store.close()


def _built(
    data: BulkData, workers: int, per_command: int | None = None
) -> tuple[list[list[bytes | str]], dict[str, int], int]:
    """Every command's arguments as sent, the counts and the last seq, built with
    ``workers`` processes."""
    built = BulkGraph(
        at="2026-12-04T00:00:00Z", actor="t", first_id=1, workers=workers, per_command=per_command
    )
    return (
        [_payload(c) for c in built.commands(data) if c.nodes or c.edges],
        built.counts,
        built.seq,
    )


def test_certificates_built_by_worker_processes_are_the_same_bytes() -> None:
    roster = plan_roster(seed=6, institutions=30, certificates=3500)
    alone = _built(bulk_data(roster), 0)
    assert alone[1]["StatusChange"] > 0  # later steps, placed across batches
    assert _built(bulk_data(roster), 2) == alone
    # Workers started on the first batches before the load (by three, the batch of worker
    # k % 3: the load builds with the workers it is given, not with its own count).
    data = bulk_data(roster)
    assert isinstance(data.certificates, CertificateSource)
    prepared = PreparedBatches(data.certificates, 3)
    try:
        assert _built(dataclasses.replace(data, certificates=prepared), 2) == alone
    finally:
        prepared.close()
    # Batches given as they are, not rebuilt by number in the workers.
    data = bulk_data(roster)
    listed = dataclasses.replace(data, certificates=list(data.certificates))
    assert _built(listed, 2) == alone


def test_commands_joined_carry_the_same_tokens_in_the_same_order() -> None:
    roster = plan_roster(seed=7, institutions=30, certificates=3500)
    one_by_one, counts, seq = _built(bulk_data(roster), 0, per_command=1)
    joined = _built(bulk_data(roster), 0, per_command=9000)
    assert joined[1:] == (counts, seq)
    assert 1 < len(joined[0]) < len(one_by_one)
    assert all(int(p[0]) + int(p[1]) >= 9000 for p in joined[0][:-1])

    def tokens(payloads: list[list[bytes | str]]) -> tuple[list[bytes | str], ...]:
        """Node tokens in one order (they give the ids), edge tokens in another."""
        nodes: list[bytes | str] = []
        edges: list[bytes | str] = []
        for payload in payloads:
            node_tokens = int(payload[2])
            nodes += payload[4 : 4 + node_tokens]
            edges += payload[4 + node_tokens :]
        return nodes, edges

    assert tokens(joined[0]) == tokens(one_by_one)


async def test_credit_reads_on_other_days_leave_every_graph_whole(
    falkordb_dir: Path, tmp_path: Path
) -> None:
    """FalkorDB 4.16 corrupted the memory of another graph (here: one a logged import wrote)
    when a pattern comprehension filtered by a timeline's ``reduce``, as the withdrawn
    certificates of ``get_credit_inputs`` were counted: a later rewrite of the server's file
    then crashed, or the server did (design note 49). ``compact`` raises when a rewrite
    failed; the session's check of the server's log is the backstop."""
    source = await open_store(embedded_url(falkordb_dir))
    imported = await open_store(embedded_url(falkordb_dir))
    logged = await open_store(embedded_url(falkordb_dir))
    try:
        await generate(source, institutions=40, certificates=600, seed=9, progress=False)
        await export_to(source, tmp_path)
        await import_from(imported, tmp_path, actor="t", today=date(2026, 12, 4), bulk=False)
        sizes = {"institutions": 60, "certificates": 1200, "seed": 5, "progress": False}
        await generate(logged, **sizes, bulk=False)  # type: ignore[arg-type]
        found = await logged.list_institutions(InstitutionQuery(), after=None, limit=1000)
        usccs = sorted(i.uscc for i in found)
        for day in ("2019-01-01", "2025-10-01", "2026-08-22"):
            facts = await logged.get_credit_inputs(usccs, today=day, evaluated_since="2000-01-01")
            assert len(facts) == len(usccs)
        for _ in range(2):
            await logged.compact()
    finally:
        for store in (source, imported, logged):
            await store.close()
