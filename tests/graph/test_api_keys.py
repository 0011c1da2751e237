"""The contract of the credential methods and of what the write checks read, on every backend."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.cypher_store import CypherStore
from graph.errors import NotFound
from graph.models import ApiKey, CertificateQuery, InstitutionQuery
from tests.conftest import TODAY
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:keys"
CREATED = "2026-11-22T00:00:00.000000Z"


def key(**fields: object) -> ApiKey:
    base = ApiKey("d" * 64, "PARTNER", ("91210204MA0000000X",), "sync", CREATED)
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_keys_keep_their_parties_scope_and_expiry(store: CypherStore) -> None:
    saved = key(regions=("210000",), entities=("Certificate",), expires_at="2027-01-01T00:00:00Z")
    await store.save_api_key(saved, actor=ACTOR)

    assert await store.find_api_key(saved.digest) == saved
    assert await store.list_api_keys() == [saved]


async def test_a_key_stored_with_one_institution_is_read_as_a_list_of_one(
    store: CypherStore,
) -> None:
    await store._housekeeping(  # the shape keys had before they named several parties
        "CREATE (:ApiKey {digest: $d, role: 'CERTIFICATION_BODY', institution: 'X', "
        "createdAt: $at}), (:ApiKey {digest: $e, role: 'REGULATOR', createdAt: $at})",
        {"d": "a" * 64, "e": "b" * 64, "at": CREATED},
    )

    body = await store.find_api_key("a" * 64)
    regulator = await store.find_api_key("b" * 64)

    assert body is not None
    assert body.institutions == ("X",)
    assert regulator is not None
    assert (regulator.institutions, regulator.regions) == ((), None)


async def test_a_revocation_is_logged_and_kept(store: CypherStore) -> None:
    await store.save_api_key(key(), actor=ACTOR)

    await store.revoke_api_key("d" * 64, at="2026-11-22T01:00:00.000000Z", actor=ACTOR)
    await store.revoke_api_key("d" * 64, at="2026-11-22T02:00:00.000000Z", actor=ACTOR)

    found = await store.find_api_key("d" * 64)
    assert found is not None
    assert found.revoked_at == "2026-11-22T01:00:00.000000Z"  # the first revocation stands
    changes = await store.get_changes(after=0, limit=10)
    assert [(c.entity, c.op) for c in changes] == [("ApiKey", "CREATE")] + [
        ("ApiKey", "REVOKE")
    ] * 2
    head = await store.change_head()
    with pytest.raises(NotFound):
        await store.revoke_api_key("e" * 64, at=CREATED, actor=ACTOR)
    assert await store.change_head() == head


async def test_last_use_is_bookkeeping_written_only_when_stale(store: CypherStore) -> None:
    await store.save_api_key(key(), actor=ACTOR)
    head = await store.change_head()

    first = await store.record_api_key_use(
        "d" * 64, at="2026-11-22T10:00:00Z", stale_before="2026-11-22T09:59:00Z"
    )
    again = await store.record_api_key_use(
        "d" * 64, at="2026-11-22T10:00:30Z", stale_before="2026-11-22T09:59:30Z"
    )

    assert (first, again) == (True, False)
    found = await store.find_api_key("d" * 64)
    assert found is not None
    assert found.last_used_at == "2026-11-22T10:00:00Z"
    assert await store.change_head() == head


async def test_issuers_of_holders_and_scoped_listings(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    body, other = (
        institution(2, kinds=("CERTIFICATION_BODY",)),
        institution(5, kinds=("CERTIFICATION_BODY",)),
    )
    dalian, guangdong = organization(1), organization(2, region="440000")
    await store.upsert_institutions([body, other], actor=ACTOR)
    await store.upsert_organizations([dalian, guangdong], actor=ACTOR)
    await store.issue_certificates(
        [
            certificate("CERT-A", issuer=body.uscc, holder=dalian.uscc),
            certificate("CERT-B", issuer=other.uscc, holder=dalian.uscc),
            certificate("CERT-C", issuer=other.uscc, holder=guangdong.uscc),
        ],
        actor=ACTOR,
    )

    issuers = await store.get_issuers_of_holders([dalian.uscc, guangdong.uscc, "nobody"])
    in_guangdong = CertificateQuery(today=TODAY, within=("440000",))
    listed = await store.list_certificates(in_guangdong, after=None, limit=10)
    institutions = await store.list_institutions(
        InstitutionQuery(within=("210200", "210204")), after=None, limit=10
    )

    assert issuers == {
        dalian.uscc: frozenset({body.uscc, other.uscc}),
        guangdong.uscc: frozenset({other.uscc}),
    }
    assert [c.number for c in listed] == ["CERT-C"]
    assert await store.count_certificates(in_guangdong) == 1
    assert {i.uscc for i in institutions} == {body.uscc, other.uscc}
