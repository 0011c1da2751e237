"""Each change keeps the digest of the document it left, and the audit compares every stored
entity with it: an entity changed behind the registry's back is named, a write that lands
during the audit is not."""

from __future__ import annotations

import asyncio
from pathlib import Path

from graph.cypher_store import CypherStore
from graph.written_documents import document_digest
from registry.operations.document_audit import AlteredDocument, check_documents
from registry.operations.seeding import load_seeds
from registry.operations.snapshots import SNAPSHOT_ENTITIES
from tests.conftest import SECRET, TODAY
from tests.graph.builders import REGIONS, certificate, institution, organization

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CERTIFICATE = "CCSC23SC0102R2"
AUDITS = 8  # each may meet a write between reading the digests and the documents


async def _exported(store: CypherStore) -> int:
    total = 0
    for entity in SNAPSHOT_ENTITIES:
        cursor: str | None = None
        while True:
            docs, cursor = await store.export_page(entity, cursor=cursor, limit=1000)
            total += len(docs)
            if cursor is None:
                break
    return total


async def test_a_write_keeps_the_digest_of_the_document_it_left(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor="t")
    await store.upsert_institutions([institution(1)], actor="t")
    await store.upsert_organizations([organization(1)], actor="t")
    issue = [certificate("CERT-1", issuer=institution(1).uscc, holder=organization(1).uscc)]
    written = await store.issue_certificates(issue, actor="t")

    [kept] = await store.get_written_digests(
        "Certificate", after=written.first_seq - 1, up_to=written.last_seq
    )
    [doc] = await store.export_docs("Certificate", ["CERT-1"])
    assert (kept.seq, kept.key, kept.digest) == (written.first_seq, "CERT-1", document_digest(doc))


async def test_an_untouched_store_is_as_its_log_says(store: CypherStore) -> None:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)

    report = await check_documents(store)

    assert report.altered is None
    assert report.unverifiable == 0
    assert report.matching == await _exported(store)


async def test_a_status_set_in_the_store_is_named(store: CypherStore) -> None:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    head = await store.change_head()
    await store._housekeeping(  # as an intruder with database access would
        "MATCH (c:Certificate {number: $n}) SET c.status = 'WITHDRAWN'", {"n": CERTIFICATE}
    )

    report = await check_documents(store)

    assert report.altered is not None
    assert (report.altered.entity, report.altered.key) == ("Certificate", CERTIFICATE)
    assert report.altered.seq <= head.seq
    assert (await store.change_head()) == head  # the log never knew


async def test_an_entity_removed_from_the_store_is_named(store: CypherStore) -> None:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    await store._housekeeping(
        "MATCH (c:Certificate {number: $n}) DETACH DELETE c", {"n": CERTIFICATE}
    )

    report = await check_documents(store)

    assert report.altered is not None
    assert report.altered == AlteredDocument("Certificate", CERTIFICATE, report.altered.seq, True)


async def test_entities_without_a_kept_digest_are_unverifiable_not_altered(
    store: CypherStore,
) -> None:
    """A store written before digests were kept (or whose digests were not written: a crash
    right after a batch) proves nothing either way."""
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    await store._housekeeping(
        "MATCH (c:Change) WHERE c.writtenSeqs IS NOT NULL REMOVE c.writtenSeqs, c.writtenDigests",
        {},
    )
    await store._housekeeping(
        "MATCH (c:Certificate {number: $n}) SET c.status = 'WITHDRAWN'", {"n": CERTIFICATE}
    )

    report = await check_documents(store)

    assert report.altered is None
    assert (report.matching, report.unverifiable) == (0, await _exported(store))
    assert (report.lost, report.lost_seqs) == (0, None)  # no digest was ever kept here


async def test_digests_lost_after_digests_began_are_told_apart(store: CypherStore) -> None:
    """A batch landed and the store stopped before its digests were kept: its entities
    cannot be checked, and the audit says so, with their seqs, rather than passing them
    off as written before the check existed."""
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    await store.upsert_regions(REGIONS, actor="t")
    await store.upsert_institutions([institution(1)], actor="t")
    await store.upsert_organizations([organization(1)], actor="t")
    rows = [
        certificate(f"LOST-{n}", issuer=institution(1).uscc, holder=organization(1).uscc)
        for n in range(3)
    ]
    written = await store.issue_certificates(rows, actor="t")
    await store._housekeeping(  # as the batch's second statement that never ran
        "MATCH (c:Change {seq: $s}) REMOVE c.writtenSeqs, c.writtenDigests",
        {"s": written.last_seq},
    )

    report = await check_documents(store)

    assert report.altered is None
    assert (report.lost, report.lost_seqs) == (3, (written.first_seq, written.last_seq))
    assert report.unverifiable == 3


async def test_writes_during_the_audit_are_not_alterations(store: CypherStore) -> None:
    await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
    await store.upsert_regions(REGIONS, actor="t")
    await store.upsert_institutions([institution(1)], actor="t")
    await store.upsert_organizations([organization(1)], actor="t")
    rows = [
        certificate(f"LIVE-{n}", issuer=institution(1).uscc, holder=organization(1).uscc)
        for n in range(5)  # the same five, rewritten: each write changes their documents
    ]
    auditing = True

    async def keep_writing() -> int:
        batches = 0
        while auditing:
            await store.issue_certificates(rows, actor="t")
            batches += 1
        return batches

    writer = asyncio.create_task(keep_writing())
    try:
        reports = [await check_documents(store) for _ in range(AUDITS)]
    finally:
        auditing = False
        batches = await writer
    assert batches >= 10
    assert [report.altered for report in reports] == [None] * AUDITS
