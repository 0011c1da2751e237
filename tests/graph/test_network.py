"""Network exploration on every backend: neighbourhoods, shortest paths, shared clusters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from graph.cypher_store import CypherStore
from graph.models import Complaint, Organization, Person
from graph.network_models import Network
from graph.network_queries import RELATIONS
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:network"
SHARED_ADDRESS = "辽宁省大连市沙河口区兴工街15号"


@dataclass(frozen=True)
class World:
    group: str
    member_a: str
    member_b: str
    twin: str  # shares member A's legal representative
    neighbour: str  # shares the twin's address
    body: str
    other_body: str
    holder: str


async def _world(store: CypherStore) -> World:
    """B and A in group G; A and C share a person; C and D an address; two bodies certify H."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    person = Person(key="p" * 32, name="陈志强")
    group = institution(1, kinds=("GROUP",), name="集团")
    a = institution(2, group=group.uscc, name="成员甲", person=person)
    b = institution(3, group=group.uscc, name="成员乙")
    c = institution(4, name="关联丙", person=person, address=SHARED_ADDRESS)
    d = institution(5, name="邻居丁", address=SHARED_ADDRESS)
    body = institution(6, kinds=("CERTIFICATION_BODY",), name="认证戊")
    other = institution(7, kinds=("CERTIFICATION_BODY",), name="认证己")
    await store.upsert_institutions([group, a, b, c, d, body, other], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    await store.issue_certificates(
        [
            certificate("N-1", issuer=body.uscc, holder=holder.uscc),
            certificate("N-2", issuer=body.uscc, holder=holder.uscc),
            certificate("N-3", issuer=other.uscc, holder=holder.uscc),
        ],
        actor=ACTOR,
    )
    await store.record_complaints(
        [
            Complaint(
                id="CMP-1",
                against=a.uscc,
                channel="HOTLINE",
                category="REPORT_DELAY",
                status="OPEN",
                filed_on=date(2026, 1, 5),
                details="confidential",
            )
        ],
        actor=ACTOR,
    )
    return World(group.uscc, a.uscc, b.uscc, c.uscc, d.uscc, body.uscc, other.uscc, holder.uscc)


def _ids(network: Network | None) -> set[str]:
    assert network is not None
    return {node.id for node in network.nodes}


def _edges(network: Network | None) -> set[tuple[str, str, str]]:
    assert network is not None
    return {(edge.kind, edge.source, edge.target) for edge in network.edges}


async def test_depth_limits_how_far_the_group_is_explored(store: CypherStore) -> None:
    w = await _world(store)
    one = await store.get_network(w.member_b, depth=1, relations=["GROUP"], max_nodes=500)
    two = await store.get_network(w.member_b, depth=2, relations=["GROUP"], max_nodes=500)

    assert _ids(one) == {w.member_b, w.group}
    assert _edges(one) == {("MEMBER_OF", w.member_b, w.group)}
    assert _ids(two) == {w.member_b, w.group, w.member_a}
    assert two is not None
    assert {n.id: n.depth for n in two.nodes}[w.member_a] == 2
    assert not two.truncated


async def test_shared_person_and_address_link_institutions(store: CypherStore) -> None:
    w = await _world(store)
    network = await store.get_network(
        w.member_a, depth=2, relations=["SHARED_PERSON", "SHARED_ADDRESS"], max_nodes=500
    )

    assert network is not None
    kinds = {n.id: n.kind for n in network.nodes}
    person = next(n for n in network.nodes if n.kind == "PERSON")
    address = next(n for n in network.nodes if n.kind == "ADDRESS")
    assert set(kinds) == {w.member_a, w.twin, w.neighbour, person.id, address.id}
    assert person.label == "陈志强"
    assert address.label == SHARED_ADDRESS
    assert kinds[w.twin] == "INSTITUTION"
    assert ("REPRESENTED_BY", w.twin, person.id) in _edges(network)
    assert ("LOCATED_AT", w.neighbour, address.id) in _edges(network)


async def test_relation_filter_leaves_other_links_out(store: CypherStore) -> None:
    w = await _world(store)
    network = await store.get_network(w.member_a, depth=3, relations=["GROUP"], max_nodes=500)

    assert _ids(network) == {w.member_a, w.group, w.member_b}


async def test_issued_links_are_aggregated_with_a_count(store: CypherStore) -> None:
    w = await _world(store)
    network = await store.get_network(w.body, depth=2, relations=["ISSUED"], max_nodes=500)

    assert network is not None
    assert _ids(network) == {w.body, w.holder, w.other_body}
    counts = {(e.source, e.target): e.count for e in network.edges if e.kind == "ISSUED"}
    assert counts == {(w.body, w.holder): 2, (w.other_body, w.holder): 1}
    assert {n.id: n.kind for n in network.nodes}[w.holder] == "ORGANIZATION"


async def test_complaints_are_shown_against_their_institution(store: CypherStore) -> None:
    w = await _world(store)
    network = await store.get_network(w.member_a, depth=1, relations=RELATIONS, max_nodes=500)

    assert ("AGAINST", "complaint:CMP-1", w.member_a) in _edges(network)


async def test_network_is_truncated_at_the_node_cap(store: CypherStore) -> None:
    w = await _world(store)
    network = await store.get_network(w.member_a, depth=3, relations=RELATIONS, max_nodes=3)

    assert network is not None
    assert len(network.nodes) == 3
    assert network.truncated


async def test_unknown_institution_has_no_network(store: CypherStore) -> None:
    await _world(store)
    assert await store.get_network("X" * 18, depth=2, relations=RELATIONS, max_nodes=5) is None


async def test_shortest_path_crosses_group_person_and_address(store: CypherStore) -> None:
    w = await _world(store)
    path = await store.find_connection(w.member_b, w.neighbour, max_depth=6, relations=RELATIONS)

    assert path is not None
    assert path.length == 4
    assert {w.member_b, w.group, w.member_a, w.twin, w.neighbour} <= {n.id for n in path.nodes}
    assert ("MEMBER_OF", w.member_a, w.group) in {(e.kind, e.source, e.target) for e in path.edges}


async def test_no_path_beyond_max_depth(store: CypherStore) -> None:
    w = await _world(store)
    assert (
        await store.find_connection(w.member_b, w.neighbour, max_depth=3, relations=RELATIONS)
        is None
    )


async def test_no_path_over_relations_that_do_not_connect(store: CypherStore) -> None:
    w = await _world(store)
    assert await store.find_connection(w.member_b, w.body, max_depth=6, relations=RELATIONS) is None
    assert await store.find_connection(w.member_b, w.twin, max_depth=6, relations=["GROUP"]) is None


async def test_shortest_path_through_a_common_holder(store: CypherStore) -> None:
    w = await _world(store)
    path = await store.find_connection(w.body, w.other_body, max_depth=2, relations=["ISSUED"])

    assert path is not None
    assert path.length == 2
    assert [n.id for n in path.nodes] == [w.body, w.holder, w.other_body]


@pytest.mark.parametrize("region", [None, "210000"])
async def test_clusters_of_shared_representatives_and_addresses(
    store: CypherStore, region: str | None
) -> None:
    w = await _world(store)
    clusters = await store.get_shared_clusters(region=region)

    found = {(c.kind, c.members) for c in clusters}
    assert found == {
        ("PERSON", tuple(sorted([w.member_a, w.twin]))),
        ("ADDRESS", tuple(sorted([w.twin, w.neighbour]))),
    }


async def test_clusters_outside_the_region_are_left_out(store: CypherStore) -> None:
    await _world(store)
    assert await store.get_shared_clusters(region="440000") == []


async def test_an_organization_is_a_party(store: CypherStore) -> None:
    w = await _world(store)
    await store.upsert_organizations(
        [Organization(uscc=w.member_a, name="成员甲", region="210204")], actor=ACTOR
    )
    network = await store.get_network(w.member_a, depth=1, relations=["ISSUED"], max_nodes=5)
    assert network is not None
    assert [n.kind for n in network.nodes] == ["INSTITUTION"]
