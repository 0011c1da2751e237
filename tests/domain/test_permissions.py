"""The write table and the read rules of keys bound to parties, scopes and jurisdictions."""

from __future__ import annotations

import pytest

from graph.models import Region
from graph.network_models import NetworkEdge, NetworkNode
from registry.domain.permissions import (
    MUTATION_ENTITIES,
    MUTATION_ROLES,
    WRITE_RULES,
    Access,
    Reach,
    Refused,
    RowClaim,
    covers,
    feed_hidden_entities,
    listing,
    may_see_confidential,
    screened_network,
    write_refusals,
)
from registry.domain.regions import regions_below
from registry.domain.vocabulary import Role

CCSC = "91110101940807760M"
CQC = "121101064193791361"
DALIAN, LIAONING, GUANGDONG = "210200", "210000", "440000"
REGIONS = [
    Region(code=LIAONING, name="辽宁省", level="PROVINCE", parent=None),
    Region(code=DALIAN, name="大连市", level="CITY", parent=LIAONING),
    Region(code="210211", name="甘井子区", level="DISTRICT", parent=DALIAN),
    Region(code=GUANGDONG, name="广东省", level="PROVINCE", parent=None),
    Region(code="440106", name="天河区", level="DISTRICT", parent=GUANGDONG),
]
DALIAN_TREE = regions_below(REGIONS, [DALIAN])


def issuing(issuer: str, region: str = "210211", index: int = 0) -> RowClaim:
    return RowClaim(
        party_field=f"input[{index}].issuer",
        all_of=(issuer,),
        region_field=f"input[{index}].holder",
        regions=(region,),
    )


def partner(*institutions: str, **scope: frozenset[str]) -> Access:
    return Access(Role.PARTNER, frozenset(institutions), **scope)


# the table -------------------------------------------------------------------------------


def test_every_mutation_has_a_row_an_entity_and_admin_reaching_everything() -> None:
    assert set(WRITE_RULES) == set(MUTATION_ENTITIES) == set(MUTATION_ROLES)
    for mutation, rules in WRITE_RULES.items():
        assert rules[Role.ADMIN] is Reach.EVERYTHING, mutation
        # The public writes only what it says or asks (a complaint, a dispute, a demand to a
        # station) and, by token, its evaluation of that demand.
        assert rules.get(Role.PUBLIC) in (None, Reach.ANYONE, Reach.REQUESTER), mutation
        assert MUTATION_ROLES[mutation] == frozenset(rules)
    public = {m for m, rules in WRITE_RULES.items() if Role.PUBLIC in rules}
    assert public == {
        "fileComplaint",
        "disputeRecord",
        "submitServiceRequest",
        "evaluateServiceRequest",
    }


def test_a_station_key_writes_only_its_own_catalogue_and_requests() -> None:
    station = Access(Role.STATION, institutions=frozenset({"S1"}))
    own = [RowClaim(party_field="input.id", all_of=("S1",), regions=("210102",))]
    other = [RowClaim(party_field="input.id", all_of=("S2",), regions=("210102",))]

    assert write_refusals(station, "advanceServiceRequest", own) == []
    assert write_refusals(station, "upsertStations", own) == []
    assert write_refusals(station, "advanceServiceRequest", other) == [
        Refused("input.id", "this key may not act for S2")
    ]
    assert write_refusals(station, "designateBenchmark", own)[0].field == "input"


def test_only_admin_writes_everything() -> None:
    assert {
        role
        for rules in WRITE_RULES.values()
        for role, reach in rules.items()
        if reach is Reach.EVERYTHING
    } == {Role.ADMIN}


@pytest.mark.parametrize(
    ("mutation", "reaches"),
    [
        ("issueCertificates", {Role.CERTIFICATION_BODY: Reach.OWN, Role.PARTNER: Reach.OWN}),
        ("publishCreditRatings", {Role.ASSOCIATION: Reach.OWN, Role.PARTNER: Reach.OWN}),
        ("recordCreditEvents", {Role.REGULATOR: Reach.JURISDICTION}),
        ("drawSupervisionPlan", {Role.REGULATOR: Reach.JURISDICTION}),
        (
            "changeCertificateStatus",
            {
                Role.CERTIFICATION_BODY: Reach.OWN,
                Role.PARTNER: Reach.OWN,
                Role.REGULATOR: Reach.JURISDICTION,
            },
        ),
        (
            "recordServiceEvaluations",
            {Role.ASSOCIATION: Reach.OWN, Role.REGULATOR: Reach.JURISDICTION},
        ),
    ],
)
def test_who_writes_what(mutation: str, reaches: dict[Role, Reach]) -> None:
    assert {
        r: reach for r, reach in WRITE_RULES[mutation].items() if r is not Role.ADMIN
    } == reaches


def test_a_role_outside_the_row_is_refused_on_input() -> None:
    refused = write_refusals(partner(CCSC), "recordCreditEvents", [])

    assert refused == [Refused("input", "role PARTNER may not call recordCreditEvents")]


# own: certification bodies, associations, partners ------------------------------------------


def test_a_body_writes_in_its_own_name_only() -> None:
    body = Access(Role.CERTIFICATION_BODY, frozenset({CCSC}))
    claims = [issuing(CCSC), issuing(CQC, index=3)]

    refused = write_refusals(body, "issueCertificates", claims)

    assert refused == [Refused("input[3].issuer", f"this key may not act for {CQC}")]


def test_a_row_is_checked_as_stored_too() -> None:
    takeover = RowClaim(party_field="input[0].issuer", all_of=(CCSC, CQC))

    refused = write_refusals(partner(CCSC), "issueCertificates", [takeover])

    assert [r.field for r in refused] == ["input[0].issuer"]


def test_a_partner_naming_no_institution_writes_nothing() -> None:
    refused = write_refusals(partner(), "issueCertificates", [issuing(CCSC)])

    assert refused == [
        Refused("input[0].issuer", "this key acts for no institution: it writes nothing")
    ]


def test_a_partner_writes_only_its_entities() -> None:
    scoped = partner(CCSC, entities=frozenset({"Institution"}))

    refused = write_refusals(scoped, "issueCertificates", [issuing(CCSC)])

    assert [r.field for r in refused] == ["input"]
    assert "Certificate" in refused[0].message


def test_a_partner_writes_only_within_its_regions() -> None:
    scoped = partner(CCSC, regions=regions_below(REGIONS, [GUANGDONG]))

    claims = [issuing(CCSC, "440106"), issuing(CCSC, index=1)]

    refused = write_refusals(scoped, "issueCertificates", claims)

    assert refused == [Refused("input[1].holder", "region 210211 is outside this key's regions")]


def test_a_holder_is_the_business_of_the_bodies_that_certified_it() -> None:
    theirs = RowClaim(party_field="input[0].uscc", any_of=("91210211000000000X", CQC))
    ours = RowClaim(party_field="input[1].uscc", any_of=("91210211000000000X", CCSC))
    new = RowClaim(party_field="input[2].uscc")
    body = Access(Role.CERTIFICATION_BODY, frozenset({CCSC}))

    refused = write_refusals(body, "upsertOrganizations", [theirs, ours, new])

    assert [r.field for r in refused] == ["input[0].uscc"]


def test_an_institutions_status_is_not_a_partners_to_change() -> None:
    why = "an institution's status is changed by its regulator"
    claim = RowClaim(
        party_field="input[0].uscc", all_of=(CCSC,), regulated=(Refused("input[0].status", why),)
    )

    refused = write_refusals(partner(CCSC), "upsertInstitutions", [claim])

    assert [r.field for r in refused] == ["input[0].status"]


# jurisdiction: regulators ------------------------------------------------------------------


def test_a_regulator_writes_within_its_region_tree() -> None:
    dalian = Access(Role.REGULATOR, regions=DALIAN_TREE)
    here = RowClaim(party_field="input[0].institution", regions=("210211",))
    there = RowClaim(
        party_field="input[1].institution",
        region_field="input[1].institution",
        regions=("210211", GUANGDONG),
    )

    refused = write_refusals(dalian, "recordCreditEvents", [here, there])

    assert refused == [
        Refused("input[1].institution", f"region {GUANGDONG} is outside this key's regions")
    ]


def test_a_stored_record_of_unknown_region_is_outside_every_region_set() -> None:
    dalian = Access(Role.REGULATOR, regions=DALIAN_TREE)
    claim = RowClaim(party_field="input[0].number", region_field="input[0].number", regions=(None,))

    refused = write_refusals(dalian, "changeCertificateStatus", [claim])

    assert [r.field for r in refused] == ["input[0].number"]


def test_a_regulator_key_without_a_region_writes_nothing() -> None:
    legacy = Access(Role.REGULATOR)
    claim = RowClaim(party_field="input[0].institution", regions=("210211",))

    refused = write_refusals(legacy, "recordCreditEvents", [claim])

    assert [r.field for r in refused] == ["input"]
    assert "--region" in refused[0].message


def test_admin_writes_anything() -> None:
    claims = [issuing(CQC, GUANGDONG)]
    assert write_refusals(Access(Role.ADMIN), "issueCertificates", claims) == []


# reads -----------------------------------------------------------------------------------


def test_regions_below_include_every_sub_region() -> None:
    assert regions_below(REGIONS, [LIAONING]) == {LIAONING, DALIAN, "210211"}
    assert regions_below(REGIONS, ["650000"]) == {"650000"}


@pytest.mark.parametrize(
    ("access", "region", "seen"),
    [
        (Access(Role.ADMIN), GUANGDONG, True),
        (Access(Role.REGULATOR, regions=DALIAN_TREE), "210211", True),
        (Access(Role.REGULATOR, regions=DALIAN_TREE), GUANGDONG, False),
        (Access(Role.REGULATOR), "210211", False),  # a key from before jurisdictions
        (partner(CCSC), "210211", False),
        (Access(Role.CERTIFICATION_BODY, frozenset({CCSC})), "210211", False),
    ],
)
def test_confidential_fields_within_a_jurisdiction(access: Access, region: str, seen: bool) -> None:
    assert may_see_confidential(access, region) is seen


def test_a_partner_covers_its_scope() -> None:
    scoped = partner(entities=frozenset({"Certificate"}), regions=DALIAN_TREE)

    assert covers(scoped, "210211", "Certificate")
    assert not covers(scoped, GUANGDONG, "Certificate")
    assert not covers(scoped, "210211", "Institution")
    assert covers(partner(), GUANGDONG, "Institution")


def test_listing_certificates() -> None:
    body = Access(Role.CERTIFICATION_BODY, frozenset({CCSC}))
    scoped = partner(entities=frozenset({"Certificate"}), regions=DALIAN_TREE)

    assert listing(Access(Role.PUBLIC), "Certificate").refusal is not None
    assert listing(Access(Role.ASSOCIATION, frozenset({CQC})), "Certificate").refusal is not None
    assert listing(body, "Certificate").issuer == CCSC
    assert listing(body, "Certificate", issuer=CQC).refusal == (
        "OUT_OF_SCOPE",
        "a certification body lists its own only",
    )
    assert listing(scoped, "Certificate").within == DALIAN_TREE
    assert listing(scoped, "Certificate", region=GUANGDONG).refusal is not None
    assert listing(scoped, "Institution").refusal is not None
    assert listing(Access(Role.REGULATOR, regions=DALIAN_TREE), "Certificate") == listing(
        Access(Role.ADMIN), "Certificate"
    )


def test_the_feed_never_carries_keys_nor_complaints_to_those_who_may_not_read_them() -> None:
    assert feed_hidden_entities(Role.PARTNER) == ("ApiKey", "Complaint", "Dispute")
    assert feed_hidden_entities(Role.ADMIN) == ("ApiKey",)


def test_a_network_keeps_only_the_confidential_things_of_the_jurisdiction() -> None:
    """Dalian's regulator sees past Dalian, but not a complaint against a Guangdong lab nor
    the name of a person who represents only Guangdong institutions."""
    nodes = [
        NetworkNode("D", "INSTITUTION", "大连检测", 0, "210211"),
        NetworkNode("G", "INSTITUTION", "广东检测", 1, "440106"),
        NetworkNode("complaint:1", "COMPLAINT", "收费争议", 1),
        NetworkNode("complaint:2", "COMPLAINT", "报告延误", 2),
        NetworkNode("person:a", "PERSON", "张三", 1),
        NetworkNode("person:b", "PERSON", "李四", 2),
    ]
    edges = [
        NetworkEdge("ISSUED", "G", "D"),
        NetworkEdge("AGAINST", "complaint:1", "D"),
        NetworkEdge("AGAINST", "complaint:2", "G"),
        NetworkEdge("REPRESENTED_BY", "D", "person:a"),
        NetworkEdge("REPRESENTED_BY", "G", "person:a"),
        NetworkEdge("REPRESENTED_BY", "G", "person:b"),
    ]

    shown, links = screened_network(Access(Role.REGULATOR, regions=DALIAN_TREE), nodes, edges)

    assert {n.id: n.label for n in shown} == {
        "D": "大连检测",
        "G": "广东检测",
        "complaint:1": "收费争议",
        "person:a": "张三",
        "person:b": "",
    }
    assert NetworkEdge("AGAINST", "complaint:2", "G") not in links
    assert len(links) == len(edges) - 1
    assert screened_network(Access(Role.ADMIN), nodes, edges) == (tuple(nodes), tuple(edges))
