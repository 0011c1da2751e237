"""An institution's node keeps the keys its group, association and representative
relationships lead to (design note 36): written with them, rewritten with them, and given
to institutions written before by the upgrade on open."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from graph.cypher.exports import EXPORTED, docs_by_key
from graph.cypher_store import CypherStore
from graph.models import Person
from graph.open import open_store
from graph.snapshot_queries import export_doc
from tests.conftest import embedded_url
from tests.graph.builders import REGIONS, institution

ACTOR = "tests"
KEYS = "n.groupKey AS group, n.associationKeys AS associations, n.representativeKey AS person"


async def _keys(store: CypherStore, uscc: str) -> dict[str, object]:
    [row] = await store._read(
        f"MATCH (n:Institution {{uscc: $uscc}}) RETURN {KEYS}", {"uscc": uscc}
    )
    return row


async def _linked(store: CypherStore) -> dict[str, str]:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    group = institution(1, kinds=("GROUP",))
    first, second = (institution(n, kinds=("ASSOCIATION",)) for n in (2, 3))
    await store.upsert_institutions([group, first, second], actor=ACTOR)
    lab = replace(
        institution(5, group=group.uscc, person=Person("p-1", "张三")),
        associations=(second.uscc, first.uscc, second.uscc),
    )
    await store.upsert_institutions([lab], actor=ACTOR)
    return {"lab": lab.uscc, "group": group.uscc, "first": first.uscc, "second": second.uscc}


async def test_the_keys_are_written_and_rewritten_with_the_relationships(
    store: CypherStore,
) -> None:
    world = await _linked(store)
    assert await _keys(store, world["lab"]) == {
        "group": world["group"],
        "associations": [world["second"], world["first"]],
        "person": "p-1",
    }
    alone = institution(5)
    await store.upsert_institutions([alone], actor=ACTOR)
    assert await _keys(store, alone.uscc) == {"group": None, "associations": [], "person": None}
    [doc] = await store.export_docs("Institution", [alone.uscc])
    assert (doc.doc["group"], doc.doc["associations"], doc.doc["representative"]) == (
        None,
        [],
        None,
    )


async def test_institutions_written_before_get_their_keys_on_open(falkordb_dir: Path) -> None:
    url = embedded_url(falkordb_dir)
    store = await open_store(url)
    try:
        world = await _linked(store)
        spec = EXPORTED["Institution"]
        expected = await store.export_docs("Institution", sorted(world.values()))
        # As a store from before: no keys on the nodes, no mark on the counter.
        await store._housekeeping(
            "MATCH (n:Institution) REMOVE n.groupKey, n.associationKeys, n.representativeKey", {}
        )
        await store._housekeeping(
            "MATCH (c:ChangeCounter {id: 'main'}) REMOVE c.institutionLinkKeys", {}
        )
        rows = await store._read(docs_by_key(spec), {"keys": [world["lab"]]})
        assert export_doc(spec, rows[0]).doc["group"] is None
    finally:
        await store.close()
    reopened = await open_store(url)
    try:
        assert await reopened.export_docs("Institution", sorted(world.values())) == expected
        assert (await _keys(reopened, world["lab"]))["person"] == "p-1"
    finally:
        await reopened.close()
