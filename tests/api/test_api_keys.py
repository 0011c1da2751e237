"""API keys: bound at creation to whom they act for, listed without their secrets, revoked or
expired for good (refused on the next request), and their last use noted without a write
per request."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher_store import CypherStore
from graph.models import ApiKey
from registry.auth import KEY_USE_INTERVAL, create_api_key, key_digest, revoke_api_key
from registry.cli.keys import key_listing
from registry.domain.vocabulary import Role
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient
from tests.api.operations import CCSC, CQC, DALIAN_PRODUCT_INSTITUTE, certificate_row, mutate

LOOKUP = '{ region(code: "210000") { name } }'
PAST = "2026-01-01T00:00:00.000000Z"


async def status_of(client: GraphQLClient, key: str, path: str = "/graphql") -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if path == "/graphql":
        response = await client.http.post(path, json={"query": LOOKUP}, headers=headers)
    else:
        response = await client.http.get(path, headers=headers)
    code = response.json()["errors"][0]["extensions"]["code"] if response.status_code >= 400 else ""
    return response.status_code, code


# what a key must name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "binding", "complaint"),
    [
        (Role.CERTIFICATION_BODY, {}, "must be bound"),
        (Role.CERTIFICATION_BODY, {"institutions": [CCSC, CQC]}, "must be bound"),
        (Role.CERTIFICATION_BODY, {"institutions": [DALIAN_PRODUCT_INSTITUTE]}, "not a"),
        (Role.ASSOCIATION, {"institutions": [CCSC]}, "not a ASSOCIATION"),
        (Role.REGULATOR, {}, "names its region"),
        (Role.REGULATOR, {"regions": ["990000"]}, "no regions"),
        (Role.REGULATOR, {"regions": ["210000"], "institutions": [CCSC]}, "acts for no"),
        (Role.PARTNER, {"institutions": ["91110101940807761X"]}, "no institution"),
        (Role.PARTNER, {"institutions": [CCSC, CCSC]}, "each once"),
        (Role.PARTNER, {"entities": ["ApiKey"]}, "unknown entities"),
        (Role.ADMIN, {"regions": ["210000"]}, "only PARTNER"),
        (Role.PARTNER, {"expires_in_days": 0}, "--expires-in"),
        (Role.PUBLIC, {}, "needs no key"),
    ],
)
async def test_a_key_must_name_what_its_role_acts_for(
    shared_seeded_store: CypherStore, role: Role, binding: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        await create_api_key(shared_seeded_store, role=role, label="x", actor="test", **binding)


async def test_a_partner_key_names_several_institutions(api: GraphQLClient) -> None:
    key = await create_api_key(
        api.store,
        role=Role.PARTNER,
        institutions=[CCSC, CQC],
        label="platform",
        actor="test",
        expires_in_days=30,
    )
    [stored] = [k for k in await api.store.list_api_keys() if k.label == "platform"]

    payload = await mutate(api, "issueCertificates", [certificate_row("CCSC26Q10931")], bearer=key)

    assert stored.institutions == (CCSC, CQC)
    assert stored.expires_at is not None
    assert stored.expires_at > stored.created_at
    assert payload["__typename"] == "IssueCertificatesSuccess", payload


async def test_a_key_stored_with_a_single_institution_still_acts_for_it(
    api: GraphQLClient,
) -> None:
    secret = "qr_a-certification-body-key-made-before-keys-named-several"
    assert isinstance(api.store, CypherStore)
    await api.store._housekeeping(  # the node as keys were stored before: one institution
        "CREATE (:ApiKey {digest: $digest, role: 'CERTIFICATION_BODY', institution: $uscc, "
        "label: 'old', createdAt: $at})",
        {"digest": key_digest(secret), "uscc": CCSC, "at": PAST},
    )

    own = await mutate(api, "issueCertificates", [certificate_row("CCSC26Q10932")], bearer=secret)
    other = await mutate(
        api, "issueCertificates", [certificate_row("00126Q39932R0M", issuer=CQC)], bearer=secret
    )

    assert own["__typename"] == "IssueCertificatesSuccess", own
    assert (other["__typename"], other["field"]) == ("NotAuthorized", "input[0].issuer")


# lifecycle -----------------------------------------------------------------------------------


async def test_a_revoked_key_is_refused_on_its_next_request(api: GraphQLClient) -> None:
    key = await create_api_key(api.store, role=Role.PARTNER, label="leaked", actor="test")
    assert await status_of(api, key) == (200, "")

    revoked = await revoke_api_key(api.store, "leaked", actor="test")

    assert revoked is not None
    assert revoked.digest == key_digest(key)
    assert await status_of(api, key) == (401, "UNAUTHENTICATED")
    assert await status_of(api, key, "/export/changes.ndjson") == (401, "UNAUTHENTICATED")
    assert await revoke_api_key(api.store, revoked.key_id, actor="test") is None  # already


async def test_an_expired_key_is_refused(api: GraphQLClient) -> None:
    secret = "qr_a-key-that-expired-in-january"
    expired = ApiKey(key_digest(secret), "ADMIN", (), "temp", PAST, expires_at=PAST)
    await api.store.save_api_key(expired, actor="test")

    assert await status_of(api, secret) == (401, "UNAUTHENTICATED")


async def test_revoking_names_one_key(api: GraphQLClient) -> None:
    for _ in range(2):
        await create_api_key(api.store, role=Role.ADMIN, label="twin", actor="test")

    with pytest.raises(ValueError, match="2 keys are labelled"):
        await revoke_api_key(api.store, "twin", actor="test")
    with pytest.raises(ValueError, match="no API key"):
        await revoke_api_key(api.store, "nobody", actor="test")


async def test_a_listing_shows_whom_a_key_acts_for_and_never_its_secret(
    api: GraphQLClient,
) -> None:
    key = await create_api_key(
        api.store,
        role=Role.ASSOCIATION,
        institutions=[DALIAN_ASSOCIATION],
        label="dl-assoc",
        actor="test",
    )
    await revoke_api_key(api.store, "dl-assoc", actor="test")
    [stored] = [k for k in await api.store.list_api_keys() if k.label == "dl-assoc"]

    shown = key_listing(stored, now="2026-11-22T00:00:00.000000Z")

    assert shown["state"] == "revoked"
    assert (shown["role"], shown["institutions"]) == ("ASSOCIATION", [DALIAN_ASSOCIATION])
    assert shown["id"] == key_digest(key)[:12]
    assert key not in str(shown)
    assert key_digest(key) not in str(shown)


async def test_last_use_is_noted_at_most_once_a_minute(api: GraphQLClient) -> None:
    assert isinstance(api.store, CypherStore)
    key = await create_api_key(api.store, role=Role.PARTNER, label="busy", actor="test")
    writes_before = api.store.calls["record_api_key_use"]
    head = await api.store.change_head()

    for _ in range(5):
        assert await status_of(api, key) == (200, "")

    [stored] = [k for k in await api.store.list_api_keys() if k.label == "busy"]
    assert api.store.calls["record_api_key_use"] - writes_before == 1
    assert stored.last_used_at is not None
    assert stored.last_used_at > stored.created_at
    assert await api.store.change_head() == head  # bookkeeping, not a change of the registry
    assert KEY_USE_INTERVAL.total_seconds() == 60


async def test_revocations_are_in_the_audit_log_but_not_the_feed(api: GraphQLClient) -> None:
    await create_api_key(api.store, role=Role.PARTNER, label="gone", actor="test")
    head = await api.store.change_head()

    await revoke_api_key(api.store, "gone", actor="cli:keys")

    [change] = await api.store.get_changes(after=head.seq, limit=10)
    assert (change.entity, change.op, change.actor) == ("ApiKey", "REVOKE", "cli:keys")
    body = await api("{ changes(first: 1000) { edges { node { entity } } } }", role=Role.ADMIN)
    assert "ApiKey" not in {e["node"]["entity"] for e in body["data"]["changes"]["edges"]}
