"""Network exploration for the GraphStore port, written once over the shared catalogue.

Walks are breadth-first in Python over batched neighbour statements (one per relation and
hop), so the same Cypher runs on FalkorDB, whose ``shortestPath`` is directed and limited
to WITH/RETURN, and on Neo4j.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from graph.cypher import network as network_cypher
from graph.errors import GraphError
from graph.network_models import (
    InstitutionPath,
    Network,
    NetworkEdge,
    NetworkNode,
    SharedCluster,
)

__all__ = ["MAX_PATH_VISITS", "RELATIONS", "NetworkQueries"]

RELATIONS = ("GROUP", "SHARED_PERSON", "SHARED_ADDRESS", "ISSUED", "COMPLAINTS")
# A shortest-path search gives up (answers None) after visiting this many parties.
MAX_PATH_VISITS = 20_000

_Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class _Link:
    """One way two parties are related, seen from ``source``: for GROUP ``detail`` is the
    member, for shared nodes ``via``/``detail`` are its key and label, for ISSUED ``detail``
    is the issuer, for COMPLAINTS ``target`` is the complaint id and ``detail`` its category."""

    relation: str
    source: str
    target: str
    via: str | None = None
    detail: str | None = None
    count: int = 1


class _Drawing:
    """Nodes and edges collected from links, capped at ``max_nodes`` nodes."""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.nodes: dict[str, NetworkNode] = {}
        self.edges: dict[tuple[str, str, str], NetworkEdge] = {}
        self.truncated = False

    def add_node(self, node: NetworkNode) -> bool:
        """True when ``node`` is new and fits."""
        if node.id in self.nodes:
            return False
        if len(self.nodes) >= self.max_nodes:
            self.truncated = True
            return False
        self.nodes[node.id] = node
        return True

    def add_edge(self, kind: str, source: str, target: str, count: int = 1) -> None:
        if source in self.nodes and target in self.nodes:
            self.edges[(kind, source, target)] = NetworkEdge(kind, source, target, count)

    def add_link(self, link: _Link, depth: int) -> str | None:
        """Draw ``link``; the USCC of a party it reached for the first time, if any."""
        if link.relation == "COMPLAINTS":
            node = f"complaint:{link.target}"
            self.add_node(NetworkNode(node, "COMPLAINT", link.detail or link.target, depth))
            self.add_edge("AGAINST", node, link.source)
            return None
        reached = self.add_node(NetworkNode(link.target, "ORGANIZATION", link.target, depth))
        if link.relation == "GROUP":
            member = link.detail or link.source
            group = link.target if member == link.source else link.source
            self.add_edge("MEMBER_OF", member, group)
        elif link.relation == "ISSUED":
            issuer = link.detail or link.source
            holder = link.target if issuer == link.source else link.source
            self.add_edge("ISSUED", issuer, holder, link.count)
        else:
            kind, prefix, edge = (
                ("PERSON", "person", "REPRESENTED_BY")
                if link.relation == "SHARED_PERSON"
                else ("ADDRESS", "address", "LOCATED_AT")
            )
            shared = f"{prefix}:{link.via}"
            self.add_node(NetworkNode(shared, kind, link.detail or "", depth))
            self.add_edge(edge, link.source, shared)
            self.add_edge(edge, link.target, shared)
        return link.target if reached else None

    def describe(self, parties: Mapping[str, tuple[str, str, bool]]) -> None:
        for uscc, (name, region, institution) in parties.items():
            if uscc in self.nodes:
                kind = "INSTITUTION" if institution else "ORGANIZATION"
                depth = self.nodes[uscc].depth
                self.nodes[uscc] = NetworkNode(uscc, kind, name, depth, region)


class NetworkQueries(abc.ABC):
    """Mixed into CypherStore: an institution's network, shortest paths, shared clusters."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[_Row]: ...

    async def get_network(
        self, uscc: str, *, depth: int, relations: Collection[str], max_nodes: int
    ) -> Network | None:
        """Everything within ``depth`` party hops of ``uscc`` over ``relations``, at most
        ``max_nodes`` nodes (then ``truncated``); None when ``uscc`` is unknown."""
        drawing = _Drawing(max_nodes)
        if not await self._draw_parties(drawing, [uscc], depth=0):
            return None
        frontier = [uscc]
        for level in range(1, depth + 1):
            links = await self._links(frontier, relations, limit=max_nodes + 1)
            reached = [r for link in links if (r := drawing.add_link(link, level)) is not None]
            await self._draw_parties(drawing, reached, depth=level)
            frontier = reached
            if not frontier or drawing.truncated:
                break
        nodes, edges = tuple(drawing.nodes.values()), tuple(drawing.edges.values())
        return Network(nodes, edges, drawing.truncated)

    async def find_connection(
        self, source: str, target: str, *, max_depth: int, relations: Collection[str]
    ) -> InstitutionPath | None:
        """A shortest chain of at most ``max_depth`` party hops between two parties over
        ``relations`` (complaints link nobody), found by a two-sided breadth-first search."""
        relations = [r for r in relations if r != "COMPLAINTS"]
        sides: list[dict[str, tuple[int, _Link | None]]] = [
            {source: (0, None)},
            {target: (0, None)},
        ]
        frontiers = [[source], [target]]
        known = {p.uscc for p in await self._parties([source, target])}
        if known != {source, target}:
            return None
        if source == target:
            return await self._path([], source)
        reach = [0, 0]
        while reach[0] + reach[1] < max_depth and all(frontiers) and relations:
            side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
            seen, other = sides[side], sides[1 - side]
            links = await self._links(frontiers[side], relations, limit=MAX_PATH_VISITS)
            reach[side] += 1
            reached: list[str] = []
            for link in links:
                if link.target not in seen:
                    seen[link.target] = (reach[side], link)
                    reached.append(link.target)
            meetings = [u for u in reached if u in other]
            if meetings:
                meet = min(meetings, key=lambda u: (other[u][0], u))
                chain = _chain(sides[0], meet) + _chain(sides[1], meet)[::-1]
                return await self._path(chain, source)
            frontiers[side] = reached
            if len(sides[0]) + len(sides[1]) > MAX_PATH_VISITS:
                return None
        return None

    async def get_shared_clusters(self, *, region: str | None = None) -> list[SharedCluster]:
        """Groups of two or more institutions with one legal representative or one address;
        with ``region``, those with a member in it or its sub-regions."""
        queries = (
            [
                ("PERSON", network_cypher.PERSON_CLUSTERS),
                ("ADDRESS", network_cypher.ADDRESS_CLUSTERS),
            ]
            if region is None
            else [
                ("PERSON", network_cypher.PERSON_CLUSTERS_IN_REGION),
                ("ADDRESS", network_cypher.ADDRESS_CLUSTERS_IN_REGION),
            ]
        )
        clusters: list[SharedCluster] = []
        for kind, statement in queries:
            rows = await self._query("get_shared_clusters", statement, {"region": region})
            clusters += [
                SharedCluster(
                    kind=kind,
                    key=str(row["key"]),
                    label=str(row["label"]),
                    members=tuple(sorted(str(m) for m in _list(row["members"]))),
                )
                for row in rows
            ]
        return clusters

    # helpers --------------------------------------------------------------------------------
    async def _path(self, links: list[_Link], start: str) -> InstitutionPath:
        drawing = _Drawing(max_nodes=4 * len(links) + 1)
        drawing.add_node(NetworkNode(start, "ORGANIZATION", start, 0))
        current, hops = start, 0
        for link in links:
            # Links point away from either end; walk them from ``start`` in path order.
            hops += 1
            step = link if link.source == current else _reversed(link)
            drawing.add_link(step, hops)
            current = step.target
        await self._draw_parties(drawing, list(drawing.nodes), depth=None)
        return InstitutionPath(tuple(drawing.nodes.values()), tuple(drawing.edges.values()), hops)

    async def _draw_parties(
        self, drawing: _Drawing, usccs: Sequence[str], *, depth: int | None
    ) -> bool:
        """Name the parties among ``usccs`` (adding them at ``depth`` when given)."""
        if not usccs:
            return False
        parties = await self._parties(usccs)
        if depth is not None:
            for party in parties:
                drawing.add_node(NetworkNode(party.uscc, "ORGANIZATION", party.uscc, depth))
        drawing.describe({p.uscc: (p.name, p.region, p.institution) for p in parties})
        return bool(parties)

    async def _parties(self, usccs: Sequence[str]) -> list[_Party]:
        keys = [u for u in dict.fromkeys(usccs) if ":" not in u]
        if not keys:
            return []
        rows = await self._query(
            "describe_parties", network_cypher.DESCRIBE_PARTIES, {"keys": keys}
        )
        return [
            _Party(str(r["uscc"]), str(r["name"]), str(r["region"]), bool(r["institution"]))
            for r in rows
        ]

    async def _links(
        self, usccs: Sequence[str], relations: Collection[str], *, limit: int
    ) -> list[_Link]:
        unknown = set(relations) - set(RELATIONS)
        if unknown:
            raise GraphError(f"unknown relations: {', '.join(sorted(unknown))}")
        keys = {"keys": list(usccs)}
        links: list[_Link] = []
        if "GROUP" in relations:
            rows = await self._query("get_links", network_cypher.GROUP_LINKS, keys)
            links += [_link("GROUP", row, detail=row["member"]) for row in rows]
        for relation, statement in (
            ("SHARED_PERSON", network_cypher.SHARED_PERSON_LINKS),
            ("SHARED_ADDRESS", network_cypher.SHARED_ADDRESS_LINKS),
        ):
            if relation in relations:
                rows = await self._query("get_links", statement, keys)
                links += [
                    _link(relation, row, via=row["via"], detail=row["viaLabel"]) for row in rows
                ]
        if "ISSUED" in relations:
            params = {**keys, "limit": limit}
            issued = await self._query("get_links", network_cypher.ISSUED_TO, params)
            held = await self._query("get_links", network_cypher.HELD_FROM, params)
            links += [_issued(row, issuer=row["source"]) for row in issued]
            links += [_issued(row, issuer=row["target"]) for row in held]
        if "COMPLAINTS" in relations:
            params = {**keys, "limit": limit}
            rows = await self._query("get_links", network_cypher.COMPLAINT_LINKS, params)
            links += [
                _Link("COMPLAINTS", str(r["source"]), str(r["id"]), detail=str(r["category"]))
                for r in rows
            ]
        return links


@dataclass(frozen=True, slots=True)
class _Party:
    uscc: str
    name: str
    region: str
    institution: bool


def _chain(parents: Mapping[str, tuple[int, _Link | None]], meet: str) -> list[_Link]:
    """The links from one end of a two-sided search to ``meet``, from that end outwards."""
    chain: list[_Link] = []
    node = meet
    while (link := parents[node][1]) is not None:
        chain.append(link)
        node = link.source
    chain.reverse()
    return chain


def _reversed(link: _Link) -> _Link:
    return _Link(link.relation, link.target, link.source, link.via, link.detail, link.count)


def _link(
    relation: str, row: _Row, *, via: object = None, detail: object = None, count: object = 1
) -> _Link:
    return _Link(
        relation=relation,
        source=str(row["source"]),
        target=str(row["target"]),
        via=None if via is None else str(via),
        detail=None if detail is None else str(detail),
        count=count if isinstance(count, int) else 1,
    )


def _issued(row: _Row, *, issuer: object) -> _Link:
    return _link("ISSUED", row, detail=issuer, count=row["certificates"])


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise GraphError(f"expected a list from the store, got {type(value).__name__}")
    return value
