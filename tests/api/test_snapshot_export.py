"""Snapshots over HTTP: one document a line, exact at a seq, within the key's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest

from graph.cypher.exports import EXPORTED, docs_by_key
from graph.cypher_store import CypherStore
from graph.falkordb_store import FalkorDBStore
from graph.log_models import ExportDoc
from graph.models import StatusChange
from graph.snapshot_queries import export_doc
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.operations.snapshots import SNAPSHOT_ENTITIES
from tests.api.conftest import GraphQLClient


async def _get(client: GraphQLClient, path: str, key: str | None) -> Any:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return await client.http.get(path, headers=headers)


def _docs(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    assert all("error" not in line for line in lines)
    return {
        str(
            line.get("number")
            or line.get("id")
            or line.get("uscc")
            or line.get("code")
            or line.get("certificate")  # a service assessment, keyed by its certificate
        ): line
        for line in lines
    }


async def test_every_exported_entity_streams_what_the_store_holds(reader: GraphQLClient) -> None:
    key = await reader.key(Role.PARTNER)
    head = (await reader.store.change_head()).seq

    for entity in SNAPSHOT_ENTITIES:
        response = await _get(reader, f"/export/{entity}.ndjson", key)
        docs = _docs(response)
        assert int(response.headers["x-registry-as-of"]) == head
        # The seeds draw no plan, and requests come from enterprises, not seeds.
        assert docs or entity in ("SupervisionPlan", "ServiceRequest"), f"no {entity} documents"
        stored = await reader.store.export_docs(entity, list(docs))
        assert {d.key: dict(d.doc) for d in stored} == docs


async def test_a_snapshot_path_takes_the_old_upper_case_spelling_too(
    reader: GraphQLClient,
) -> None:
    key = await reader.key(Role.PARTNER)

    named = await _get(reader, "/export/CreditRating.ndjson", key)
    old = await _get(reader, "/export/CREDIT_RATING.ndjson", key)

    assert _docs(old) == _docs(named)


async def test_a_snapshot_at_an_earlier_seq_shows_what_was_true_then(api: GraphQLClient) -> None:
    key = await api.key(Role.PARTNER)
    number = next(iter(_docs(await _get(api, "/export/Certificate.ndjson", key))))
    before = (await api.store.change_head()).seq
    await api.store.change_certificate_statuses(
        [StatusChange(number, "SUSPENDED", "监督审核不合格", date(2026, 11, 1), "", "")],
        actor="test",
    )
    after = (await api.store.change_head()).seq

    then = _docs(await _get(api, f"/export/Certificate.ndjson?asOf={before}", key))
    now = _docs(await _get(api, "/export/Certificate.ndjson", key))
    delta = _docs(
        await _get(api, f"/export/Certificate.ndjson?asOf={after}&changedAfter={before}", key)
    )

    assert then[number]["status"] == "VALID"
    assert now[number]["status"] == "SUSPENDED"
    assert delta == {number: now[number]}


async def test_a_scoped_key_gets_its_scope_and_no_more(reader: GraphQLClient) -> None:
    key = await create_api_key(
        reader.store,
        role=Role.PARTNER,
        label="scoped",
        actor="test",
        entities=["Certificate"],
        regions=["210000"],
    )

    certificates = _docs(await _get(reader, "/export/Certificate.ndjson", key))
    institutions = await _get(reader, "/export/Institution.ndjson", key)
    wider = await _get(reader, "/export/Certificate.ndjson?regions=440000", key)

    assert certificates
    assert {doc["region"][:2] for doc in certificates.values()} == {"21"}
    assert institutions.status_code == 403
    assert institutions.json()["errors"][0]["extensions"]["code"] == "OUT_OF_SCOPE"
    assert wider.status_code == 403


@pytest.mark.parametrize(
    ("role", "path", "status", "code"),
    [
        (None, "/export/Certificate.ndjson", 403, "NOT_AUTHORIZED"),
        (Role.REGULATOR, "/export/Certificate.ndjson", 403, "NOT_AUTHORIZED"),
        (Role.PARTNER, "/export/ApiKey.ndjson", 404, "NOT_FOUND"),
        (Role.PARTNER, "/export/Complaint.ndjson", 404, "NOT_FOUND"),
        (Role.PARTNER, "/export/Certificate.ndjson?asOf=-1", 400, "INVALID_CURSOR"),
        (Role.PARTNER, "/export/Certificate.ndjson?asOf=999999999", 400, "INVALID_CURSOR"),
        (Role.PARTNER, "/export/Certificate.ndjson?asOf=5&changedAfter=9", 400, "INVALID_CURSOR"),
    ],
)
async def test_snapshots_refuse_clearly(
    reader: GraphQLClient, role: Role | None, path: str, status: int, code: str
) -> None:
    key = None if role is None else await reader.key(role)

    response = await _get(reader, path, key)

    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_a_snapshot_before_the_kept_log_is_expired(api: GraphQLClient) -> None:
    await api.store.prune_changes(through=50)
    key = await api.key(Role.PARTNER)

    expired = await _get(api, "/export/Certificate.ndjson?asOf=20", key)
    kept = await _get(api, "/export/Certificate.ndjson?asOf=60", key)

    assert expired.status_code == 410
    assert expired.json()["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"
    assert kept.status_code == 200


async def test_falkordb_reads_documents_from_its_plain_reply_as_from_the_typed_one(
    shared_seeded_store: CypherStore,
) -> None:
    """Every entity whose documents FalkorDB reads from its plain reply (flat ones, and
    those whose lists are text, sent joined) is exported with the typed reply's documents."""
    store = shared_seeded_store
    if not isinstance(store, FalkorDBStore):
        pytest.skip("the plain reply is FalkorDB's")
    plain = [spec for spec in EXPORTED.values() if spec.flat or spec.text_lists]
    assert {"Institution", "Accreditation", "Certificate", "CreditRating"} <= {
        spec.entity for spec in plain
    }
    for spec in plain:
        docs: list[ExportDoc] = []
        cursor: str | None = None
        while True:
            page, cursor = await store.export_page(spec.entity, cursor=cursor, limit=7)
            docs.extend(page)
            if cursor is None:
                break
        [count] = await store._read(
            f"MATCH (n:{spec.label}) WHERE n.{spec.present} IS NOT NULL RETURN count(n) AS n", {}
        )
        keys = [doc.key for doc in docs]
        rows = await store._read(docs_by_key(spec), {"keys": keys})
        typed = sorted((export_doc(spec, row) for row in rows), key=lambda doc: doc.key)
        assert len(keys) == len(set(keys)) == count["n"]
        assert sorted(docs, key=lambda doc: doc.key) == typed
        assert [list(doc.doc) for doc in sorted(docs, key=lambda doc: doc.key)] == [
            list(doc.doc) for doc in typed
        ]
