"""Network resolvers for regulators: neighbourhoods, shortest chains, anomalies."""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated

import strawberry

from graph.models import CertificateQuery
from graph.network_models import SharedCluster as SharedClusterModel
from registry.context import Context
from registry.domain.anomalies import MAX_ANOMALY_SCAN, certificate_anomaly
from registry.domain.identifiers import normalise_identifier
from registry.domain.permissions import screened_network
from registry.domain.uscc import is_valid_uscc
from registry.domain.vocabulary import Role
from registry.operations.scans import one_scan_at_a_time
from registry.schema.errors import PublicError
from registry.schema.network import (
    Anomalies,
    CertificateAnomaly,
    InstitutionPath,
    NetworkRelation,
    SharedCluster,
    network_relations,
    require_jurisdiction,
    within_range,
)

__all__ = [
    "MAX_PATH_DEPTH",
    "anomalies",
    "connection",
]

Info = strawberry.Info[Context, None]

MAX_PATH_DEPTH = 6
_SCAN_PAGE = 500
_LONGEST_NUMBER = 100  # characters of a certificate number given as ``after``
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
    source, target = _uscc("from", from_), _uscc("to", to)
    for name, party in (("from", source), ("to", target)):
        await require_jurisdiction(info, name, await _party_region(info, party))
    found = await info.context.store.find_connection(
        source, target, max_depth=max_depth, relations=network_relations(relations)
    )
    if found is None:
        return None
    nodes, edges = screened_network(await info.context.access(), found.nodes, found.edges)
    return InstitutionPath.of(dataclasses.replace(found, nodes=nodes, edges=edges))


async def _party_region(info: Info, uscc: str) -> str | None:
    """The region of an institution or certificate holder (None when neither exists)."""
    loaders = info.context.loaders
    found = await loaders.institution.load(uscc) or await loaders.organization.load(uscc)
    return None if found is None else found.region


async def anomalies(info: Info, region: str | None = None, after: str | None = None) -> Anomalies:
    """Certificates held in ``region`` (and its sub-regions) that their issuer could not
    vouch for, and institutions with a member there sharing a representative or address.
    A report reads ``MAX_ANOMALY_SCAN`` certificates, by number from ``after``: a district
    holding more was otherwise never read past them (twenty-fifth session's read-through)."""
    from registry.schema.certificates import Certificate
    from registry.schema.timelines import moment_of

    if region is not None and not _REGION.match(region):
        raise PublicError("INVALID_REGION", "region: a six-digit GB/T 2260 code")
    if after is not None and len(after) > _LONGEST_NUMBER:
        raise PublicError("INVALID_CURSOR", "after: the number of a certificate checked")
    store, today = info.context.store, info.context.today
    access = await info.context.access()
    if region is not None:
        await require_jurisdiction(info, "region", region)
    # Without a region a regulator gets its whole jurisdiction; an administrator everything.
    roots = None if region is not None else info.context.principal.regions
    within = None if roots is None or access.regions is None else tuple(sorted(access.regions))
    if access.role is not Role.ADMIN and region is None and within is None:
        raise PublicError("OUT_OF_SCOPE", "this key names no jurisdiction")
    query = CertificateQuery(today=today, region=region, within=within)
    moment = moment_of(info)
    found: list[CertificateAnomaly] = []
    scanned, truncated = 0, False
    async with one_scan_at_a_time():
        while True:
            page = await store.list_certificates(query, after=after, limit=_SCAN_PAGE)
            facts = await store.get_verification_facts([c.number for c in page])
            for fact in sorted(facts, key=lambda f: f.certificate.number):
                kind = certificate_anomaly(fact, today=today)
                if kind is not None:
                    certificate = Certificate.of(fact.certificate, moment)
                    found.append(CertificateAnomaly(kind=kind, certificate=certificate))
            scanned += len(page)
            if len(page) < _SCAN_PAGE:
                break
            after = page[-1].number
            if scanned >= MAX_ANOMALY_SCAN:
                truncated = True
                break
    clusters: dict[tuple[str, str], SharedClusterModel] = {}
    for root in [region] if roots is None else sorted(roots):
        for cluster in await store.get_shared_clusters(region=root):
            clusters.setdefault((cluster.kind, cluster.key), cluster)
    return Anomalies(
        certificates=found,
        clusters=[SharedCluster.of(c) for c in clusters.values()],
        scanned=scanned,
        truncated=truncated,
        last_scanned=after if truncated else None,
    )
