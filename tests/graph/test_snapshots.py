"""Snapshots at a seq: the documents as they were right after it, rebuilt for entities
written since from the document each change recorded as replaced."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.cypher_store import CypherStore
from graph.log_models import ExportDoc
from graph.models import Certificate, StatusChange
from registry.domain.regions import regions_below
from registry.operations import snapshots
from registry.operations.snapshots import (
    SnapshotExpired,
    content_digest,
    document_line,
    snapshot,
)
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:snapshot"


async def _all(store: CypherStore, entity: str, **options: object) -> dict[str, ExportDoc]:
    found: dict[str, ExportDoc] = {}
    async for page in snapshot(store, entity, **options):  # type: ignore[arg-type]
        for doc in page.docs():
            assert doc.key not in found, "a document appears on two pages"
            found[doc.key] = doc
    return found


async def _world(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    await store.upsert_institutions([institution(1), institution(2, region="440000")], actor=ACTOR)
    await store.upsert_organizations([organization(1)], actor=ACTOR)
    await store.issue_certificates(
        [
            certificate(f"CERT-{n}", issuer=institution(1).uscc, holder=organization(1).uscc)
            for n in range(1, 4)
        ],
        actor=ACTOR,
    )


async def test_a_snapshot_at_the_head_is_the_graph_as_it_is(store: CypherStore) -> None:
    await _world(store)
    head = (await store.change_head()).seq

    certificates = await _all(store, "Certificate", as_of=head)
    institutions = await _all(store, "Institution", as_of=head)

    assert sorted(certificates) == ["CERT-1", "CERT-2", "CERT-3"]
    assert certificates["CERT-1"].doc["status"] == "VALID"
    assert certificates["CERT-1"].doc["version"] == 1
    assert certificates["CERT-1"].region == "210204"
    assert sorted(institutions) == sorted(
        [institution(1).uscc, institution(2, region="440000").uscc]
    )
    assert institutions[institution(1).uscc].doc["kinds"] == list(institution(1).kinds)


async def test_a_snapshot_at_an_earlier_seq_undoes_later_writes(store: CypherStore) -> None:
    await _world(store)
    before = (await store.change_head()).seq
    as_it_was = await _all(store, "Certificate", as_of=before)
    await store.change_certificate_statuses(
        [StatusChange("CERT-1", "SUSPENDED", "监督审核不合格", date(2026, 3, 1), "", "")],
        actor=ACTOR,
    )
    await store.issue_certificates(
        [
            replace(
                certificate("CERT-2", issuer=institution(1).uscc, holder=organization(1).uscc),
                scope="更正后的范围",
            ),
            certificate("CERT-9", issuer=institution(1).uscc, holder=organization(1).uscc),
        ],
        actor=ACTOR,
    )

    then = await _all(store, "Certificate", as_of=before)
    now = await _all(store, "Certificate", as_of=(await store.change_head()).seq)

    assert then == as_it_was  # suspension, rescoping and the new certificate all undone
    assert now["CERT-1"].doc["status"] == "SUSPENDED"
    assert now["CERT-2"].doc["scope"] == "更正后的范围"
    assert "CERT-9" in now


async def test_writes_while_a_snapshot_streams_do_not_show_in_it(
    store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next page is read ahead, before this one is settled: pages read after a write
    (and the page read ahead) still come out as they were at the snapshot's seq."""
    monkeypatch.setattr(snapshots, "PAGE", 1)
    await _world(store)
    head = (await store.change_head()).seq
    as_it_was = await _all(store, "Certificate", as_of=head)
    issued = certificate("CERT-9", issuer=institution(1).uscc, holder=organization(1).uscc)
    rescoped = [replace(as_it_was_certificate(n), scope="后来改的范围") for n in (1, 2, 3)]

    streamed: dict[str, ExportDoc] = {}
    async for page in snapshot(store, "Certificate", as_of=head):
        if not streamed:  # after the first page: every certificate changes, one is added
            await store.issue_certificates([*rescoped, issued], actor=ACTOR)
        streamed.update((doc.key, doc) for doc in page.docs())

    assert streamed == as_it_was
    now = await _all(store, "Certificate", as_of=(await store.change_head()).seq)
    assert {doc.doc["scope"] for key, doc in now.items() if key != "CERT-9"} == {"后来改的范围"}


def as_it_was_certificate(n: int) -> Certificate:
    return certificate(f"CERT-{n}", issuer=institution(1).uscc, holder=organization(1).uscc)


async def test_a_delta_holds_what_changed_between_two_seqs(store: CypherStore) -> None:
    await _world(store)
    before = (await store.change_head()).seq
    await store.change_certificate_statuses(
        [StatusChange("CERT-3", "WITHDRAWN", "证后监督不合格", date(2026, 3, 1), "", "")],
        actor=ACTOR,
    )
    after = (await store.change_head()).seq

    delta = await _all(store, "Certificate", as_of=after, changed_after=before)

    assert list(delta) == ["CERT-3"]
    assert delta["CERT-3"].doc["status"] == "WITHDRAWN"


async def test_a_region_narrows_a_snapshot(store: CypherStore) -> None:
    await _world(store)
    head = (await store.change_head()).seq
    guangdong = regions_below(await store.get_regions(), ["440000"])

    found = await _all(store, "Institution", as_of=head, regions=guangdong)

    assert list(found) == [institution(2, region="440000").uscc]


async def test_the_digest_ignores_order_but_not_content(store: CypherStore) -> None:
    await _world(store)
    docs = list((await _all(store, "Certificate", as_of=(await store.change_head()).seq)).values())
    lines = [document_line(doc) for doc in docs]
    changed = ExportDoc(docs[0].key, docs[0].region, {**docs[0].doc, "scope": "x"})

    assert content_digest(lines) == content_digest(reversed(lines))
    assert content_digest(lines) != content_digest([document_line(changed), *lines[1:]])


async def test_a_pruned_or_future_seq_is_refused(store: CypherStore) -> None:
    await _world(store)
    head = (await store.change_head()).seq
    await store.prune_changes(through=3)

    for as_of in (2, head + 1):
        try:
            await _all(store, "Region", as_of=as_of)
        except SnapshotExpired:
            continue
        raise AssertionError(f"a snapshot at {as_of} was served")


async def test_keyset_pages_and_id_windows_find_the_same_documents(store: CypherStore) -> None:
    """Neo4j pages by key and FalkorDB by node-id window: the keyset Cypher runs here too."""
    await _world(store)

    by_key: list[str] = []
    cursor: str | None = None
    while True:
        docs, cursor = await CypherStore.export_page(store, "Certificate", cursor=cursor, limit=2)
        by_key += [doc.key for doc in docs]
        if cursor is None:
            break
    windowed = await _all(store, "Certificate", as_of=(await store.change_head()).seq)

    assert by_key == sorted(windowed) == ["CERT-1", "CERT-2", "CERT-3"]
