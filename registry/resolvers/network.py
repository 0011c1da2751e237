"""Network resolvers for regulators: neighbourhoods, shortest chains, anomalies."""

from __future__ import annotations

import re
from typing import Annotated

import strawberry

from graph.models import CertificateQuery
from registry.context import Context
from registry.domain.anomalies import certificate_anomaly
from registry.domain.identifiers import normalise_identifier
from registry.domain.uscc import is_valid_uscc
from registry.schema.errors import PublicError
from registry.schema.network import (
    Anomalies,
    CertificateAnomaly,
    InstitutionPath,
    NetworkRelation,
    SharedCluster,
    network_relations,
    within_range,
)

__all__ = [
    "MAX_ANOMALY_SCAN",
    "MAX_PATH_DEPTH",
    "anomalies",
    "connection",
]

Info = strawberry.Info[Context, None]

MAX_PATH_DEPTH = 6
MAX_ANOMALY_SCAN = 20_000
_SCAN_PAGE = 500
_REGION = re.compile(r"^[1-8]\d{5}$")


def _uscc(name: str, value: str) -> str:
    code = normalise_identifier(value)
    if not is_valid_uscc(code):
        raise PublicError("INVALID_USCC", f"{name}: not a valid unified social credit code")
    return code


async def connection(
    info: Info,
    from_: Annotated[str, strawberry.argument(name="from")],
    to: str,
    max_depth: int = MAX_PATH_DEPTH,
    relations: list[NetworkRelation] | None = None,
) -> InstitutionPath | None:
    within_range("maxDepth", max_depth, MAX_PATH_DEPTH)
    found = await info.context.store.find_connection(
        _uscc("from", from_),
        _uscc("to", to),
        max_depth=max_depth,
        relations=network_relations(relations),
    )
    return None if found is None else InstitutionPath.of(found)


async def anomalies(info: Info, region: str | None = None) -> Anomalies:
    """Certificates held in ``region`` (and its sub-regions) that their issuer could not
    vouch for, and institutions with a member there sharing a representative or address."""
    from registry.schema.certificates import Certificate

    if region is not None and not _REGION.match(region):
        raise PublicError("INVALID_REGION", "region: a six-digit GB/T 2260 code")
    store, today = info.context.store, info.context.today
    query = CertificateQuery(today=today, region=region)
    found: list[CertificateAnomaly] = []
    scanned, after, truncated = 0, None, False
    while True:
        page = await store.list_certificates(query, after=after, limit=_SCAN_PAGE)
        facts = await store.get_verification_facts([c.number for c in page])
        for fact in sorted(facts, key=lambda f: f.certificate.number):
            kind = certificate_anomaly(fact, today=today)
            if kind is not None:
                certificate = Certificate.of(fact.certificate, today=today)
                found.append(CertificateAnomaly(kind=kind, certificate=certificate))
        scanned += len(page)
        if len(page) < _SCAN_PAGE:
            break
        if scanned >= MAX_ANOMALY_SCAN:
            truncated = True
            break
        after = page[-1].number
    clusters = await store.get_shared_clusters(region=region)
    return Anomalies(
        certificates=found,
        clusters=[SharedCluster.of(c) for c in clusters],
        scanned=scanned,
        truncated=truncated,
    )
