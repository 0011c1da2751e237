"""Documents whose lists are all text come from FalkorDB's plain reply with those lists sent
joined (graph/cypher/exports.py, ``returns(joined=True)``): the same documents as from the
typed reply, and the typed reply whenever an item holds the separator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from graph.cypher.exports import EXPORTED, LIST_SEPARATOR, docs_by_key
from graph.cypher_literals import cypher_header
from graph.falkordb_replies import plain_documents
from graph.falkordb_store import FalkorDBStore
from graph.log_models import ExportDoc
from graph.models import Accreditation, Person
from graph.open import open_store
from graph.snapshot_queries import export_doc
from tests.conftest import embedded_url
from tests.graph.builders import REGIONS, institution

ACTOR = "tests"


@pytest.fixture
async def falkordb_store(falkordb_dir: Path) -> AsyncIterator[FalkorDBStore]:
    store = await open_store(embedded_url(falkordb_dir))
    assert isinstance(store, FalkorDBStore)
    try:
        yield store
    finally:
        await store.close()


async def _world(store: FalkorDBStore) -> dict[str, str]:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    group = institution(1, kinds=("GROUP",))
    first, second = (institution(n, kinds=("ASSOCIATION",)) for n in (2, 3))
    body = institution(4, kinds=("CERTIFICATION_BODY", "INSPECTION_TESTING"))
    await store.upsert_institutions([group, first, second, body], actor=ACTOR)
    lab = replace(
        institution(5, group=group.uscc, person=Person("p-1", "张三")),
        associations=(second.uscc, first.uscc),
    )
    await store.upsert_institutions([lab], actor=ACTOR)
    scopes = {
        "A-1": ("GB/T 19001-2016/ISO 9001:2015", "食品, 饮料 [含酒类]", ""),
        "A-2": ("GB 4706.1-2005",),
        "A-3": (f"分隔{LIST_SEPARATOR}符", "GB/T 2"),  # holds the separator
    }
    await store.upsert_accreditations(
        [
            Accreditation(
                number,
                "CNAS_LAB_17025",
                body.uscc,
                lab.uscc,
                scope,
                date(2020, 1, 1),
                date(2030, 1, 1),
            )
            for number, scope in scopes.items()
        ],
        actor=ACTOR,
    )
    return {"lab": lab.uscc, "body": body.uscc, "group": group.uscc}


async def _typed(store: FalkorDBStore, entity: str, keys: list[str]) -> list[ExportDoc]:
    spec = EXPORTED[entity]
    return [export_doc(spec, row) for row in await store._read(docs_by_key(spec), {"keys": keys})]


async def test_plain_documents_are_the_typed_replys_documents(
    falkordb_store: FalkorDBStore,
) -> None:
    world = await _world(falkordb_store)
    cases = {"Institution": sorted(world.values()), "Accreditation": ["A-1", "A-2"]}
    for entity, keys in cases.items():
        spec = EXPORTED[entity]
        query = cypher_header({"keys": keys}) + docs_by_key(spec, joined=True)
        reply = await falkordb_store._command("GRAPH.RO_QUERY", falkordb_store._graph_name, query)
        joined = plain_documents(spec, reply)
        typed = await _typed(falkordb_store, entity, keys)
        assert joined == typed
        assert [list(doc.doc) for doc in joined or []] == [list(doc.doc) for doc in typed]
    [lab] = await _typed(falkordb_store, "Institution", [world["lab"]])
    assert len(lab.doc["associations"]) == 2  # type: ignore[arg-type]
    assert lab.doc["group"] == world["group"]
    [scoped] = await _typed(falkordb_store, "Accreditation", ["A-1"])
    assert scoped.doc["scope"] == ["GB/T 19001-2016/ISO 9001:2015", "食品, 饮料 [含酒类]", ""]


async def test_an_item_holding_the_separator_is_read_from_the_typed_reply(
    falkordb_store: FalkorDBStore,
) -> None:
    await _world(falkordb_store)
    spec, keys = EXPORTED["Accreditation"], ["A-1", "A-3"]
    query = cypher_header({"keys": keys}) + docs_by_key(spec, joined=True)
    reply = await falkordb_store._command("GRAPH.RO_QUERY", falkordb_store._graph_name, query)

    assert plain_documents(spec, reply) is None
    read = await falkordb_store._documents(spec, docs_by_key, {"keys": keys})
    assert read == await _typed(falkordb_store, "Accreditation", keys)
    assert [doc.doc["scope"] for doc in read if doc.key == "A-3"] == [
        [f"分隔{LIST_SEPARATOR}符", "GB/T 2"]
    ]


async def test_a_document_with_two_scope_relationships_is_read_once(
    falkordb_store: FalkorDBStore,
) -> None:
    """The scope link is read a row per relationship (not grouped): an accreditation that
    two institutions hold (no write makes one, a hand-edited store might) is still one
    document, as the grouped typed read gives it, on a page and by key."""
    world = await _world(falkordb_store)
    await falkordb_store._housekeeping(
        "MATCH (a:Accreditation {number: 'A-2'}), (i:Institution {uscc: $body}) "
        "CREATE (i)-[:HOLDS]->(a)",
        {"body": world["body"]},
    )
    spec = EXPORTED["Accreditation"]
    by_key = await falkordb_store._documents(spec, docs_by_key, {"keys": ["A-1", "A-2"]})
    assert [doc.key for doc in by_key] == ["A-1", "A-2"]
    typed = {doc.key: doc.doc for doc in await _typed(falkordb_store, "Accreditation", ["A-2"])}
    assert {doc.key: doc.doc for doc in by_key if doc.key == "A-2"} == typed
    page, _ = await falkordb_store.export_page("Accreditation", cursor=None, limit=1000)
    assert sorted(doc.key for doc in page) == ["A-1", "A-2", "A-3"]
