"""Certificates are found by issuer and holder along the party's ISSUED / CERTIFIES edges,
and stores made before that lose the two property indexes when they open (design note 38)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from graph.cypher import certificates, data_quality, network, tallies
from graph.cypher_literals import cypher_header
from graph.cypher_store import CypherStore
from graph.dialects import FALKORDB, RETIRED
from graph.falkordb_store import FalkorDBStore
from graph.models import CertificateQuery, Organization
from graph.open import open_store
from tests.conftest import TODAY, embedded_url
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test"


async def _indexed(store: CypherStore) -> set[tuple[str, str]]:
    """(label, property) of every property index the engine lists."""
    if store.dialect.name == "neo4j":
        statement = (
            "SHOW INDEXES YIELD labelsOrTypes, properties, type WHERE type = 'RANGE' "
            "RETURN labelsOrTypes AS labels, properties"
        )
        rows = await store._read(statement, {})
        return {(str(r["labels"][0]), str(p)) for r in rows for p in r["properties"]}  # type: ignore[index, attr-defined]
    rows = await store._read("CALL db.indexes()", {})
    return {(str(r["label"]), str(p)) for r in rows for p in r["properties"]}  # type: ignore[attr-defined]


async def _old_indexes(store: CypherStore) -> None:
    """The indexes an older version created (the only way to make such a store now)."""
    for spec in RETIRED:
        if store.dialect.name == "neo4j":
            statement = (
                f"CREATE INDEX {spec.label}_{spec.prop} IF NOT EXISTS "
                f"FOR (n:{spec.label}) ON (n.{spec.prop})"
            )
        else:
            statement = f"CREATE INDEX FOR (n:{spec.label}) ON (n.{spec.prop})"
        await store._housekeeping(statement, {})


async def test_opening_a_store_drops_the_certificate_party_indexes_once(
    store: CypherStore,
) -> None:
    await _old_indexes(store)
    retired = {(s.label, s.prop) for s in RETIRED}
    assert retired <= await _indexed(store)

    await store.ensure_schema()  # what opening the store runs
    assert not retired & await _indexed(store)
    assert ("Certificate", "number") in await _indexed(store)
    await store.ensure_schema()  # and again: nothing left to drop
    assert not retired & await _indexed(store)


async def test_listings_by_issuer_and_holder_follow_the_party_edges(store: CypherStore) -> None:
    """A body that also holds certificates (an institution and a holder with one USCC):
    by issuer lists what it issued, by holder what it holds, never the other."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    body, other = (
        institution(2, kinds=("CERTIFICATION_BODY",)),
        institution(5, kinds=("CERTIFICATION_BODY",)),
    )
    # The body as a holder: the organization node with the body's USCC.
    body_as_holder = Organization(uscc=body.uscc, name=body.name, region=body.region)
    holder = organization(1)
    await store.upsert_institutions([body, other], actor=ACTOR)
    await store.upsert_organizations([holder, body_as_holder], actor=ACTOR)
    await store.issue_certificates(
        [
            certificate("CERT-3", issuer=body.uscc, holder=holder.uscc),
            certificate("CERT-1", issuer=body.uscc, holder=holder.uscc, status="WITHDRAWN"),
            certificate("CERT-2", issuer=other.uscc, holder=body.uscc),
            certificate("CERT-4", issuer=other.uscc, holder=holder.uscc),
            certificate(
                "CERT-5", issuer=body.uscc, holder=holder.uscc, expires_on=date(2025, 1, 1)
            ),
        ],
        actor=ACTOR,
    )

    async def numbers(**filters: str) -> list[str]:
        query = CertificateQuery(today=TODAY, **filters)  # type: ignore[arg-type]
        found = await store.list_certificates(query, after=None, limit=10)
        assert await store.count_certificates(query) == len(found)
        return [c.number for c in found]

    assert await numbers(issuer=body.uscc) == ["CERT-1", "CERT-3", "CERT-5"]
    assert await numbers(holder=body.uscc) == ["CERT-2"]
    assert await numbers(holder=holder.uscc) == ["CERT-1", "CERT-3", "CERT-4", "CERT-5"]
    assert await numbers(holder=holder.uscc, issuer=other.uscc) == ["CERT-4"]
    assert await numbers(issuer=body.uscc, status="VALID") == ["CERT-3"]
    assert await numbers(issuer=body.uscc, status="EXPIRED") == ["CERT-5"]
    assert await numbers(issuer="nobody") == []
    page = await store.list_certificates(
        CertificateQuery(today=TODAY, issuer=body.uscc), after="CERT-1", limit=1
    )
    assert [c.number for c in page] == ["CERT-3"]
    assert await store.get_issuers_of_holders([holder.uscc, body.uscc, other.uscc]) == {
        holder.uscc: frozenset({body.uscc, other.uscc}),
        body.uscc: frozenset({other.uscc}),
    }
    issued = await store.get_issue_groups([body.uscc, other.uscc], since=date(2020, 1, 1))
    assert sorted((g.issuer, g.certificates) for g in issued) == sorted(
        [(body.uscc, 3), (other.uscc, 2)]
    )


def _by_party() -> list[tuple[str, str]]:
    """Every statement that finds certificates by their issuer or holder."""
    found = [
        ("ISSUERS_OF_HOLDERS", certificates.ISSUERS_OF_HOLDERS),
        ("CERTIFICATE_COUNTS", data_quality.CERTIFICATE_COUNTS),
        ("STATUS_LAGS", data_quality.STATUS_LAGS),
        ("ISSUE_GROUPS", data_quality.ISSUE_GROUPS),
        ("ISSUED_TO", network.ISSUED_TO),
        ("HELD_FROM", network.HELD_FROM),
        ("FALKORDB.credit_inputs", FALKORDB.credit_inputs),
        ("CERTIFICATES_OF_HOLDERS", tallies.CERTIFICATES_OF_HOLDERS),
    ]
    others = sorted(certificates.LISTING_FILTERS - {"holder", "issuer", "region"})
    for party, other, status, count in itertools.product(
        ("holder", "issuer"), [None, *others], [None, *certificates.LISTING_STATUSES], (0, 1)
    ):
        present = frozenset({party} | ({other} if other else set()))
        statement = certificates.certificate_listing(present, status=status, count=bool(count))
        found.append((f"listing {sorted(present)} {status} count={count}", statement))
    return found


async def test_falkordb_starts_every_read_by_party_from_the_party_index(
    falkordb_dir: Path,
) -> None:
    """A WHERE on the certificate in the same MATCH made FalkorDB scan every certificate."""
    store = await open_store(embedded_url(falkordb_dir))
    assert isinstance(store, FalkorDBStore)
    params: dict[str, object] = {
        **{key: "x" for key in ("holder", "issuer", "today", "since", "after", "standard")},
        **{"family": "x", "keys": ["x"], "within": ["x"], "limit": 10, "lateAfterDays": 30},
        "evaluatedSince": "x",
    }
    scanning = {}
    try:
        for name, statement in _by_party():
            plan = await store.command(
                "GRAPH.EXPLAIN", store.graph_name, cypher_header(params) + statement
            )
            steps = [str(step) for step in plan]  # type: ignore[attr-defined]
            starts = [s for s in steps if "Scan" in s]
            if any("Label Scan" in s and ":Certificate" in s for s in starts) or not starts:
                scanning[name] = steps
    finally:
        await store.close()
    assert not scanning
