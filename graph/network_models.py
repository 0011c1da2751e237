"""What network exploration returns: nodes, edges, paths and shared-party clusters.

Node ids are USCCs for institutions and holders, and ``person:…``, ``address:…``,
``complaint:…`` for the nodes that link or concern them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InstitutionPath", "Network", "NetworkEdge", "NetworkNode", "SharedCluster"]


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """``kind`` is INSTITUTION, ORGANIZATION, PERSON, ADDRESS or COMPLAINT; ``depth`` counts
    the hops between institutions or holders from where the exploration started."""

    id: str
    kind: str
    label: str
    depth: int
    region: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    """``kind`` is MEMBER_OF, REPRESENTED_BY, LOCATED_AT, ISSUED (``count`` certificates) or
    AGAINST, directed as in the graph."""

    kind: str
    source: str
    target: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class Network:
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    truncated: bool


@dataclass(frozen=True, slots=True)
class InstitutionPath:
    """A shortest chain between two parties; ``length`` counts party-to-party hops."""

    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    length: int


@dataclass(frozen=True, slots=True)
class SharedCluster:
    """Institutions sharing one legal representative (PERSON) or one address (ADDRESS)."""

    kind: str
    key: str
    label: str
    members: tuple[str, ...]
