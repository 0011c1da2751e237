"""Behaviour specific to the FalkorDB backend: several handles (processes) on one graph."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from falkordb.asyncio import FalkorDB

from graph.changelog import first_broken_link
from graph.cypher.exports import EXPORTED, docs_by_key
from graph.falkordb_store import STATEMENTS_AT_ONCE, FalkorDBStore
from graph.models import InstitutionQuery, StatusChange
from graph.open import open_store
from graph.snapshot_queries import export_doc
from tests.conftest import embedded_url
from tests.graph.builders import REGIONS, certificate, institution, organization


@pytest.fixture
async def two_handles(falkordb_dir: Path) -> AsyncIterator[tuple[FalkorDBStore, FalkorDBStore]]:
    """Two independent stores on one graph, as two API worker processes would have."""
    url = embedded_url(falkordb_dir)
    first, second = await open_store(url), await open_store(url)
    assert isinstance(first, FalkorDBStore)
    assert isinstance(second, FalkorDBStore)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_writers_in_different_handles_take_turns_on_the_change_log(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    first, second = two_handles
    await first.upsert_regions(REGIONS, actor="a")
    writes = [
        (first if n % 2 else second).upsert_institutions(
            [institution(1000 + 10 * n + i) for i in range(10)], actor=f"w{n}"
        )
        for n in range(10)
    ]
    results = await asyncio.gather(*writes)
    seqs = sorted(seq for r in results for seq in range(r.first_seq, r.last_seq + 1))
    assert seqs == list(range(len(REGIONS) + 1, len(REGIONS) + 101))
    assert await second.count_institutions(InstitutionQuery()) == 100
    assert first_broken_link(await first.get_changes(after=0, limit=200)) is None


async def test_a_change_is_stamped_no_earlier_than_the_change_before_it(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    """An issue was stamped before it waited its turn: another process's write landed
    first, at a later time, so a knownAt between the two saw the certificate issued before
    the registry held it. A change is stamped once it has claimed the head."""
    first, second = two_handles
    await first.upsert_regions(REGIONS, actor="a")
    await first.upsert_institutions([institution(1)], actor="a")
    await first.upsert_organizations([organization(1)], actor="a")
    issued = [certificate("CERT-AT-1", issuer=institution(1).uscc, holder=organization(1).uscc)]
    async with first._write_lock:  # the first process is busy writing
        waiting = asyncio.ensure_future(first.issue_certificates(issued, actor="waits"))
        await asyncio.sleep(0.05)
        await second.upsert_institutions([institution(2)], actor="lands first")
    await waiting

    changes = await first.get_changes(after=0, limit=100)
    assert [c.actor for c in changes[-2:]] == ["lands first", "waits"]
    stamps = [c.at for c in changes]
    assert stamps == sorted(stamps)


async def test_two_processes_bring_a_step_into_force_once(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    """Every serving process looks at the day every ten minutes: both read the same
    records as due, and the one that writes second must not write them again."""
    first, second = two_handles
    await first.upsert_regions(REGIONS, actor="a")
    await first.upsert_institutions([institution(1)], actor="a")
    await first.upsert_organizations([organization(1)], actor="a")
    numbers = [f"CERT-DUE-{n}" for n in range(30)]
    issued = [
        certificate(n, issuer=institution(1).uscc, holder=organization(1).uscc) for n in numbers
    ]
    await first.issue_certificates(issued, actor="a")
    steps = [StatusChange(n, "SUSPENDED", "暂停", date(2027, 1, 15), "", "") for n in numbers]
    await first.change_certificate_statuses(steps, actor="a")
    head = (await first.change_head()).seq

    counts = await asyncio.gather(
        first.bring_steps_into_force(date(2027, 1, 20), actor="process-1"),
        second.bring_steps_into_force(date(2027, 1, 20), actor="process-2"),
    )

    assert sum(counts) == 30
    changes = await first.get_changes(after=head, limit=100)
    assert sorted(c.key for c in changes) == sorted(numbers)


async def test_a_rewritten_change_breaks_the_chain_at_that_entry(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    store, _ = two_handles
    await store.upsert_regions(REGIONS, actor="a")
    await store.upsert_institutions([institution(1), institution(2)], actor="a")
    server = store.server
    assert server is not None
    # Tamper the way an attacker with database access would: straight to the graph.
    raw = FalkorDB(unix_socket_path=str(server.socket_path))
    try:
        graph = raw.select_graph(store.graph_name)
        await graph.query("MATCH (c:Change {seq: 5}) SET c.actor = 'someone else'")
    finally:
        await raw.connection.aclose()
    assert first_broken_link(await store.get_changes(after=0, limit=100)) == 5


async def test_document_reads_decode_every_value_kind_as_the_client_library_does(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    """Documents are decoded from the compact reply without the client library: the same
    values, lists and maps included."""
    store, _ = two_handles
    statement = (
        "RETURN 'текст 中文 \"q\"' AS text, 42 AS whole, -1.5 AS real, true AS yes, false AS no,"
        " null AS nothing, ['a', 1, [2.5, null]] AS list, [] AS empty, {k: 'v', n: [1]} AS map"
    )

    decoded = await store._read_values(statement, {})

    assert decoded == await store._read(statement, {})
    assert decoded[0]["map"] == {"k": "v", "n": [1]}
    assert decoded[0]["real"] == -1.5
    assert decoded[0]["yes"] is True
    assert decoded[0]["no"] is False


async def test_flat_documents_are_the_documents_of_the_rows_the_client_library_reads(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    """Flat documents are made straight from the plain reply, floats included: the same
    documents, fields in the same order, as from the rows the client library decodes."""
    store, _ = two_handles
    await store.upsert_regions(REGIONS, actor="a")
    await store.upsert_institutions([institution(1)], actor="a")
    await store.upsert_organizations([organization(1)], actor="a")
    issuer, holder = institution(1).uscc, organization(1).uscc
    issued = [certificate(f"C-{n}", issuer=issuer, holder=holder) for n in (1, 2)]
    await store.issue_certificates(issued, actor="a")
    spec = replace(EXPORTED["Certificate"], floats=frozenset({"version"}))  # a float here
    keys = {"keys": ["C-1", "C-2"]}

    direct = await store._documents(spec, docs_by_key, keys)
    rows = await store._read(docs_by_key(spec), keys)

    expected = [export_doc(spec, {**row, "version": float(row["version"])}) for row in rows]  # type: ignore[arg-type]
    assert direct == expected
    assert [list(doc.doc) for doc in direct] == [list(doc.doc) for doc in expected]
    assert len(direct) == 2
    assert all(isinstance(doc.doc["version"], float) for doc in direct)
    assert all(doc.doc["version"] == 1.0 and doc.region == "210204" for doc in direct)


async def test_more_statements_at_once_than_connections_queue_instead_of_failing(
    two_handles: tuple[FalkorDBStore, FalkorDBStore],
) -> None:
    """One request whose page starts a statement per row must not exhaust the connections:
    the statements beyond the bound wait their turn (a bounded client pool failed them as
    if the database were down)."""
    store, _ = two_handles
    await store.upsert_regions(REGIONS, actor="a")
    await store.upsert_institutions([institution(1)], actor="a")
    key = institution(1).uscc
    many = 3 * STATEMENTS_AT_ONCE
    before = await store.command("INFO", "clients")
    found = await asyncio.gather(*(store.get_institutions([key]) for _ in range(many)))
    after = await store.command("INFO", "clients")

    assert [[i.uscc for i in f] for f in found] == [[key]] * many
    assert isinstance(before, dict)
    assert isinstance(after, dict)
    # The server may serve other tests' stores too: count the connections this one opened.
    assert after["connected_clients"] - before["connected_clients"] <= STATEMENTS_AT_ONCE
