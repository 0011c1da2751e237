"""Networks for regulators: who is linked to whom, shortest chains, and anomalies."""

from __future__ import annotations

import asyncio
import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.permission import BasePermission

from graph import network_models
from registry.context import Context
from registry.domain.anomalies import AnomalyKind
from registry.domain.permissions import (
    Access,
    may_see_complaints,
    may_see_confidential,
    may_see_personal_data,
    screened_network,
)
from registry.domain.vocabulary import Role
from registry.schema.errors import PublicError, institution_region

if TYPE_CHECKING:
    from registry.schema.certificates import Certificate
    from registry.schema.institutions import Institution

__all__ = [
    "MAX_NETWORK_DEPTH",
    "MAX_NETWORK_NODES",
    "Anomalies",
    "AnomalyKind",
    "CertificateAnomaly",
    "InstitutionPath",
    "Network",
    "NetworkEdge",
    "NetworkNode",
    "NetworkRelation",
    "SeesNetworks",
    "SharedCluster",
    "institution_network",
    "may_explore_networks",
    "network_relations",
    "require_jurisdiction",
    "within_range",
]

Info = strawberry.Info[Context, None]
CertificateRef = Annotated["Certificate", strawberry.lazy("registry.schema.certificates")]
InstitutionRef = Annotated["Institution", strawberry.lazy("registry.schema.institutions")]


def may_explore_networks(role: Role) -> bool:
    """Networks show persons' names and complaints, so only those who may see both."""
    return may_see_personal_data(role) and may_see_complaints(role)


class SeesNetworks(BasePermission):
    """Regulators (within their jurisdiction, for an institution's network) and ADMIN; root
    fields check the regions they are asked about themselves (``require_jurisdiction``)."""

    message = "networks are shown to regulators only, within their jurisdiction"
    error_extensions = {"code": "NOT_AUTHORIZED"}  # noqa: RUF012 - strawberry's API

    async def has_permission(self, source: object, info: Info, **kwargs: object) -> bool:
        if not may_explore_networks(info.context.principal.role):
            return False
        if source is None:
            return True
        return may_see_confidential(await info.context.access(), institution_region(source))


async def require_jurisdiction(info: Info, name: str, region: str | None) -> None:
    """OUT_OF_SCOPE unless the caller may see confidential things in ``region``."""
    if not may_see_confidential(await info.context.access(), region):
        raise PublicError("OUT_OF_SCOPE", f"{name} is outside this key's jurisdiction")


class NetworkRelation(StrEnum):
    GROUP = "GROUP"
    SHARED_PERSON = "SHARED_PERSON"
    SHARED_ADDRESS = "SHARED_ADDRESS"
    ISSUED = "ISSUED"
    COMPLAINTS = "COMPLAINTS"


class NetworkNodeKind(StrEnum):
    INSTITUTION = "INSTITUTION"
    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"
    COMPLAINT = "COMPLAINT"


class NetworkEdgeKind(StrEnum):
    MEMBER_OF = "MEMBER_OF"
    REPRESENTED_BY = "REPRESENTED_BY"
    LOCATED_AT = "LOCATED_AT"
    ISSUED = "ISSUED"
    AGAINST = "AGAINST"


class SharedClusterKind(StrEnum):
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"


@strawberry.type(description="An institution, holder, person, address or complaint.")
class NetworkNode:
    id: str = strawberry.field(description="A USCC, or person:…, address:…, complaint:….")
    kind: NetworkNodeKind
    label: str
    depth: int = strawberry.field(description="Hops between parties from the start.")
    region: str | None

    @classmethod
    def of(cls, m: network_models.NetworkNode) -> NetworkNode:
        return cls(
            id=m.id, kind=NetworkNodeKind(m.kind), label=m.label, depth=m.depth, region=m.region
        )


@strawberry.type(description="A relationship, directed as stored; ISSUED counts certificates.")
class NetworkEdge:
    kind: NetworkEdgeKind
    from_: str = strawberry.field(name="from")
    to: str
    count: int

    @classmethod
    def of(cls, m: network_models.NetworkEdge) -> NetworkEdge:
        return cls(kind=NetworkEdgeKind(m.kind), from_=m.source, to=m.target, count=m.count)


@strawberry.type(description="An institution's neighbourhood (regulators only).")
class Network:
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    truncated: bool = strawberry.field(description="True when the node cap cut it short.")

    @classmethod
    def of(cls, m: network_models.Network) -> Network:
        return cls(
            nodes=[NetworkNode.of(n) for n in m.nodes],
            edges=[NetworkEdge.of(e) for e in m.edges],
            truncated=m.truncated,
        )


@strawberry.type(description="A shortest chain between two parties.")
class InstitutionPath:
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    length: int = strawberry.field(description="Hops between parties.")

    @classmethod
    def of(cls, m: network_models.InstitutionPath) -> InstitutionPath:
        return cls(
            nodes=[NetworkNode.of(n) for n in m.nodes],
            edges=[NetworkEdge.of(e) for e in m.edges],
            length=m.length,
        )


@strawberry.type(description="A certificate its issuer could not vouch for on the issue date.")
class CertificateAnomaly:
    kind: AnomalyKind
    certificate: CertificateRef


@strawberry.type(description="Institutions sharing a legal representative or an address.")
class SharedCluster:
    kind: SharedClusterKind
    label: str
    member_usccs: strawberry.Private[tuple[str, ...]]

    @classmethod
    def of(cls, m: network_models.SharedCluster) -> SharedCluster:
        return cls(kind=SharedClusterKind(m.kind), label=m.label, member_usccs=m.members)

    @strawberry.field
    async def institutions(self, info: Info) -> list[InstitutionRef]:
        from registry.schema.institutions import load_institution

        found = await asyncio.gather(*(load_institution(info, u) for u in self.member_usccs))
        return [i for i in found if i is not None]


@strawberry.type(description="What a regulator should look at in a region.")
class Anomalies:
    certificates: list[CertificateAnomaly]
    clusters: list[SharedCluster]
    scanned: int = strawberry.field(description="Certificates checked.")
    truncated: bool = strawberry.field(description="True when not every certificate was checked.")
    last_scanned: str | None = strawberry.field(
        default=None,
        description="When truncated, the number of the last certificate checked: pass it as "
        "`after` to check the rest.",
    )


MAX_NETWORK_DEPTH = 3
MAX_NETWORK_NODES = 500


def network_relations(relations: list[NetworkRelation] | None) -> list[str]:
    """The relations asked for; none named means all of them."""
    return [r.value for r in (list(NetworkRelation) if relations is None else relations)]


def within_range(name: str, value: int, maximum: int) -> None:
    if not 1 <= value <= maximum:
        raise PublicError("OUT_OF_RANGE", f"{name} must be between 1 and {maximum}")


async def institution_network(
    info: strawberry.Info[Context, None],
    uscc: str,
    *,
    depth: int,
    relations: list[NetworkRelation] | None,
) -> Network | None:
    within_range("depth", depth, MAX_NETWORK_DEPTH)
    found = await info.context.store.get_network(
        uscc, depth=depth, relations=network_relations(relations), max_nodes=MAX_NETWORK_NODES
    )
    if found is None:
        return None
    return Network.of(screened(await info.context.access(), found))


def screened(access: Access, network: network_models.Network) -> network_models.Network:
    """The network as the key may see it (``screened_network``)."""
    nodes, edges = screened_network(access, network.nodes, network.edges)
    return dataclasses.replace(network, nodes=nodes, edges=edges)
