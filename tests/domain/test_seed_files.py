"""The seed dataset in seeds/*.json: every record validates and every reference resolves."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from graph.models import Accreditation, StatusChange
from registry.domain.accreditations import accreditation_on
from registry.domain.lifecycle import (
    ACCREDITATION_TRANSITIONS,
    CERTIFICATE_TRANSITIONS,
    timeline_problems,
    validity_problem,
)
from registry.domain.service_standards import SERVICE_STANDARDS, stars_from_score, weighted_total
from registry.domain.timeline import Step
from registry.domain.verification import scope_problem
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    CertificateFamily,
    InstitutionKind,
)
from registry.operations.convert import (
    accreditation_model,
    accreditation_step_model,
    certificate_model,
)
from registry.records import (
    AccreditationRecord,
    AccreditationStatusChangeRecord,
    CertificateRecord,
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    InstitutionRecord,
    OrganizationRecord,
    RegionRecord,
    ServiceAssessmentRecord,
    StatusChangeRecord,
)
from registry.records.stations import BenchmarkRecord, StationRecord

SEEDS = Path(__file__).parents[2] / "seeds"
TODAY = date(2026, 11, 22)  # the reference date the seed was written for

MODELS: dict[str, type[BaseModel]] = {
    "regions.json": RegionRecord,
    "institutions.json": InstitutionRecord,
    "organizations.json": OrganizationRecord,
    "accreditations.json": AccreditationRecord,
    "accreditation_changes.json": AccreditationStatusChangeRecord,
    "certificates.json": CertificateRecord,
    "status_changes.json": StatusChangeRecord,
    "complaints.json": ComplaintRecord,
    "credit_ratings.json": CreditRatingRecord,
    "credit_events.json": CreditEventRecord,
    "service_assessments.json": ServiceAssessmentRecord,
    "stations.json": StationRecord,
    "benchmarks.json": BenchmarkRecord,
}
KEYS = {
    "regions.json": "code",
    "institutions.json": "uscc",
    "organizations.json": "uscc",
    "accreditations.json": "number",
    "certificates.json": "number",
    "complaints.json": "id",
    "credit_ratings.json": "id",
    "credit_events.json": "id",
    "service_assessments.json": "certificate",
    "stations.json": "uscc",
}

# The two anomalies planted on purpose (see seeds/README.md).
OUT_OF_SCOPE_CERTIFICATE = "HXC-25-S0163"
SUSPENDED_ISSUER_CERTIFICATE = "YZC26GP00042"

DALIAN_GROUP = "大连检验检测认证集团有限公司"
CCSC = "中国船级社质量认证有限公司"


@cache
def raw(name: str) -> list[dict[str, Any]]:
    data = json.loads((SEEDS / name).read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{name} must hold a JSON array"
    return data


@cache
def records(name: str) -> tuple[Any, ...]:
    model = MODELS[name]
    return tuple(model.model_validate(item) for item in raw(name))


def regions() -> dict[str, RegionRecord]:
    return {r.code: r for r in records("regions.json")}


def institutions() -> dict[str, InstitutionRecord]:
    return {i.uscc: i for i in records("institutions.json")}


def organizations() -> dict[str, OrganizationRecord]:
    return {o.uscc: o for o in records("organizations.json")}


def certificates() -> dict[str, CertificateRecord]:
    return {c.number: c for c in records("certificates.json")}


def accreditations() -> tuple[AccreditationRecord, ...]:
    return records("accreditations.json")


def accreditations_with_history() -> dict[str, Accreditation]:
    """The accreditations as the registry keeps them once seeded: the record is the first
    step, accreditation_changes.json the later ones (in file order)."""
    steps: dict[str, list[StatusChange]] = {}
    for seq, change in enumerate(records("accreditation_changes.json"), start=1):
        step = accreditation_step_model(change, today=TODAY)
        steps.setdefault(change.number, []).append(replace(step, seq=seq))
    found = {}
    for record in accreditations():
        model = accreditation_model(record)
        first = StatusChange(model.number, model.status, "granted", model.valid_from, "", "")
        found[model.number] = replace(model, history=(first, *steps.get(model.number, [])))
    return found


def institution_named(name: str) -> InstitutionRecord:
    found = [i for i in institutions().values() if i.name == name]
    assert len(found) == 1, f"expected one institution named {name}, found {len(found)}"
    return found[0]


def covering_accreditations(certificate: CertificateRecord) -> list[AccreditationRecord]:
    """The issuer's accreditations that list the certificate's standard and were in their
    validity period on the day it was issued."""
    return [
        a
        for a in accreditations()
        if a.holder == certificate.issuer
        and certificate.standard in a.scope
        and a.valid_from <= certificate.issued_on <= a.valid_until
    ]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_seed_record_validates(name: str) -> None:
    model = MODELS[name]
    problems = []
    for index, item in enumerate(raw(name)):
        try:
            model.model_validate(item)
        except ValidationError as exc:
            problems.append(f"{name}[{index}] ({model.__name__}): {exc}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("name", "key"), sorted(KEYS.items()))
def test_natural_keys_are_unique_within_each_file(name: str, key: str) -> None:
    counts = Counter(item[key] for item in raw(name))
    repeated = sorted(value for value, count in counts.items() if count > 1)
    assert not repeated, f"{name}: repeated {key}: {repeated}"


# --------------------------------------------------------------------------- regions


def test_every_region_parent_exists_and_is_listed_before_its_children() -> None:
    seen: set[str] = set()
    for index, region in enumerate(records("regions.json")):
        if region.parent is not None:
            assert region.parent in seen, (
                f"regions.json[{index}] {region.code}: parent {region.parent} not listed before it"
            )
        seen.add(region.code)


def test_region_levels_follow_the_hierarchy() -> None:
    by_code = regions()
    expected_parent_level = {"CITY": ("PROVINCE",), "DISTRICT": ("PROVINCE", "CITY")}
    for region in by_code.values():
        if region.level == "PROVINCE":
            assert region.parent is None, f"province {region.code} must have no parent"
            assert region.code.endswith("0000")
        else:
            assert region.parent is not None, f"{region.code} needs a parent"
            assert by_code[region.parent].level in expected_parent_level[region.level]
            assert region.code[:2] == region.parent[:2]


def test_the_regions_named_in_the_domain_are_seeded() -> None:
    names = {code: r.name for code, r in regions().items()}
    assert names["210000"] == "辽宁省"
    assert names["210100"] == "沈阳市"
    assert names["210200"] == "大连市"
    assert names["440000"] == "广东省"
    assert names["320000"] == "江苏省"
    assert names["430100"] == "长沙市"
    assert names["370600"] == "烟台市"
    assert names["110000"] == "北京市"


@pytest.mark.parametrize("name", ["institutions.json", "organizations.json"])
def test_every_region_referenced_exists(name: str) -> None:
    known = regions()
    missing = [
        f"{name}[{index}] {r.uscc}: region {r.region}"
        for index, r in enumerate(records(name))
        if r.region not in known
    ]
    assert not missing, "\n".join(missing)


def test_usccs_carry_the_region_of_their_holder() -> None:
    for record in (*records("institutions.json"), *records("organizations.json")):
        assert record.uscc[2:8] == record.region, f"{record.name}: {record.uscc}"


# --------------------------------------------------------------------------- institutions


def test_groups_exist_and_are_listed_before_their_members() -> None:
    seen: dict[str, InstitutionRecord] = {}
    for index, institution in enumerate(records("institutions.json")):
        if institution.group is not None:
            group = seen.get(institution.group)
            assert group is not None, (
                f"institutions.json[{index}] {institution.name}: group {institution.group} "
                "is not listed before it"
            )
            assert InstitutionKind.GROUP in group.kinds
        seen[institution.uscc] = institution


def test_the_dalian_group_has_its_six_member_institutes() -> None:
    group = institution_named(DALIAN_GROUP)
    members = {i.name for i in institutions().values() if i.group == group.uscc}
    assert members == {
        "大连产品质量检验检测研究院",
        "大连计量检验检测研究院",
        "大连市建筑材料产品质量监督检验站",
        "大连锅炉压力容器检验研究院",
        "大连特种设备检验研究院",
        "大连标准化研究中心",
    }


def test_institutions_that_hold_certificates_appear_as_organizations_with_the_same_code() -> None:
    orgs = organizations()
    group = institution_named(DALIAN_GROUP)
    for member in (i for i in institutions().values() if i.group == group.uscc):
        assert member.uscc in orgs, f"{member.name} is missing from organizations.json"
        assert orgs[member.uscc].name == member.name
        assert orgs[member.uscc].region == member.region


def test_two_institutions_share_a_legal_representative_and_two_share_an_address() -> None:
    reps = Counter(
        (i.legal_representative.name, i.legal_representative.id_number)
        for i in institutions().values()
        if i.legal_representative is not None and i.legal_representative.id_number
    )
    addresses = Counter(i.address for i in institutions().values() if i.address)
    assert any(count >= 2 for count in reps.values())
    assert any(count >= 2 for count in addresses.values())


# --------------------------------------------------------------------------- accreditations


def test_accreditations_are_granted_by_the_right_kind_of_body_to_institutions() -> None:
    known = institutions()
    granted_by = {
        AccreditationScheme.CMA: InstitutionKind.REGULATOR,
        AccreditationScheme.CNCA_APPROVAL: InstitutionKind.REGULATOR,
    }
    for index, accreditation in enumerate(accreditations()):
        where = f"accreditations.json[{index}] {accreditation.number}"
        assert accreditation.body in known, f"{where}: body {accreditation.body} unknown"
        assert accreditation.holder in known, f"{where}: holder {accreditation.holder} unknown"
        needed = granted_by.get(accreditation.scheme, InstitutionKind.ACCREDITATION_BODY)
        assert needed in known[accreditation.body].kinds, f"{where}: body is not a {needed}"


def test_certification_schemes_are_held_by_certification_bodies() -> None:
    known = institutions()
    certification_schemes = {
        AccreditationScheme.CNAS_PRODUCT_17065,
        AccreditationScheme.CNAS_MANAGEMENT_SYSTEM_17021,
        AccreditationScheme.CNAS_SERVICE_17065,
        AccreditationScheme.CNCA_APPROVAL,
    }
    for accreditation in accreditations():
        if accreditation.scheme in certification_schemes:
            assert InstitutionKind.CERTIFICATION_BODY in known[accreditation.holder].kinds


def test_one_accreditation_is_suspended_and_one_has_expired() -> None:
    statuses = Counter(
        accreditation_on(a, TODAY).status for a in accreditations_with_history().values()
    )
    assert statuses[AccreditationStatus.SUSPENDED] >= 1
    assert statuses[AccreditationStatus.EXPIRED] >= 1
    for accreditation in accreditations():
        if accreditation.status is AccreditationStatus.EXPIRED:
            assert accreditation.valid_until < TODAY, accreditation.number


def test_accreditation_changes_are_dated_within_validity_and_follow_the_lifecycle() -> None:
    known = accreditations_with_history()
    for index, change in enumerate(records("accreditation_changes.json")):
        where = f"accreditation_changes.json[{index}] {change.number}"
        assert change.number in known, f"{where}: unknown accreditation"
        accreditation = known[change.number]
        assert change.effective_on is not None, f"{where}: every change carries its date"
        assert accreditation.valid_from <= change.effective_on <= accreditation.valid_until
    for accreditation in known.values():
        first, *later = accreditation.history
        assert timeline_problems([first], later, ACCREDITATION_TRANSITIONS, today=TODAY) == []


# --------------------------------------------------------------------------- certificates


def test_certificates_are_issued_by_certification_bodies_to_organizations() -> None:
    known, orgs = institutions(), organizations()
    for index, certificate in enumerate(records("certificates.json")):
        where = f"certificates.json[{index}] {certificate.number}"
        assert certificate.issuer in known, f"{where}: issuer {certificate.issuer} unknown"
        assert InstitutionKind.CERTIFICATION_BODY in known[certificate.issuer].kinds, where
        assert certificate.holder in orgs, f"{where}: holder {certificate.holder} unknown"


def test_certificate_validity_is_within_the_family_limits() -> None:
    for certificate in certificates().values():
        problem = validity_problem(
            certificate.family, certificate.issued_on, certificate.expires_on, today=TODAY
        )
        assert problem is None, (certificate.number, problem)


def test_certificates_are_seeded_valid_and_only_service_certificates_carry_stars() -> None:
    for certificate in certificates().values():
        assert certificate.status == "VALID", certificate.number
        if certificate.stars is not None:
            assert certificate.family is CertificateFamily.SERVICE, certificate.number


def test_dalian_group_has_three_five_star_and_three_four_star_members() -> None:
    group = institution_named(DALIAN_GROUP)
    issuer = institution_named(CCSC)
    members = {i.uscc for i in institutions().values() if i.group == group.uscc}
    first_certificates: dict[str, CertificateRecord] = {}
    for certificate in sorted(certificates().values(), key=lambda c: c.issued_on):
        if (
            certificate.holder in members
            and certificate.issuer == issuer.uscc
            and certificate.family is CertificateFamily.SERVICE
        ):
            first_certificates.setdefault(certificate.holder, certificate)
    assert set(first_certificates) == members
    assert all(c.issued_on.year in (2017, 2018) for c in first_certificates.values())
    stars = Counter(c.stars for c in first_certificates.values())
    assert stars == {5: 3, 4: 3}


def test_the_original_dalian_certificates_expired_and_some_recertifications_are_still_valid() -> (
    None
):
    group = institution_named(DALIAN_GROUP)
    members = {i.uscc for i in institutions().values() if i.group == group.uscc}
    dalian = [
        c
        for c in certificates().values()
        if c.holder in members and c.family is CertificateFamily.SERVICE
    ]
    originals = [c for c in dalian if c.issued_on.year in (2017, 2018)]
    assert all(c.expires_on < TODAY for c in originals)
    assert any(c.expires_on >= TODAY for c in dalian)


def test_some_certificates_have_expired_and_a_few_expire_within_thirty_days() -> None:
    expired = [c for c in certificates().values() if c.expires_on < TODAY]
    soon = [
        c for c in certificates().values() if TODAY <= c.expires_on <= TODAY + timedelta(days=30)
    ]
    assert len(expired) >= 5
    assert 2 <= len(soon) <= 10


def test_every_certificate_is_within_an_accredited_scope_except_the_planted_anomalies() -> None:
    """As checked when issuing: the issuer's accreditations as they stood on the issue date.
    The two planted anomalies are historical imports, which record the exception."""
    held: dict[str, list[Accreditation]] = {}
    for accreditation in accreditations_with_history().values():
        held.setdefault(accreditation.holder, []).append(accreditation)
    outside = [
        c.number
        for c in certificates().values()
        if scope_problem(certificate_model(c), tuple(held.get(c.issuer, ())))
    ]
    planted = sorted([OUT_OF_SCOPE_CERTIFICATE, SUSPENDED_ISSUER_CERTIFICATE])
    assert sorted(outside) == planted
    imported = [c.number for c in certificates().values() if c.historical_import]
    assert sorted(imported) == planted


def test_the_out_of_scope_certificate_cites_a_standard_no_accreditation_of_its_issuer_lists() -> (
    None
):
    certificate = certificates()[OUT_OF_SCOPE_CERTIFICATE]
    assert not [
        a
        for a in accreditations()
        if a.holder == certificate.issuer and certificate.standard in a.scope
    ]


def test_the_suspended_issuer_certificate_relies_only_on_a_suspended_accreditation() -> None:
    """Suspended from a date before the issue date, valid before it (issue 13)."""
    certificate = certificates()[SUSPENDED_ISSUER_CERTIFICATE]
    covering = covering_accreditations(certificate)
    assert covering
    known = accreditations_with_history()
    for record in covering:
        accreditation = known[record.number]
        on_issue = accreditation_on(accreditation, certificate.issued_on)
        assert on_issue.status is AccreditationStatus.SUSPENDED
        assert on_issue.since is not None
        before = accreditation_on(accreditation, on_issue.since - timedelta(days=1))
        assert before.status is AccreditationStatus.VALID


# --------------------------------------------------------------------------- status changes


def test_status_changes_refer_to_seeded_certificates_and_take_effect_while_they_run() -> None:
    known = certificates()
    for index, change in enumerate(records("status_changes.json")):
        where = f"status_changes.json[{index}] {change.number}"
        assert change.number in known, f"{where}: unknown certificate"
        certificate = known[change.number]
        if change.effective_on is not None:
            assert certificate.issued_on <= change.effective_on <= certificate.expires_on, where


def test_status_history_includes_every_kind_of_change_and_a_reinstatement() -> None:
    changes = records("status_changes.json")
    assert {c.status for c in changes} >= {"SUSPENDED", "WITHDRAWN", "CANCELLED", "VALID"}
    history: dict[str, list[str]] = {}
    for change in changes:
        history.setdefault(change.number, []).append(change.status)
    assert ["SUSPENDED", "VALID"] in history.values()


def test_status_changes_are_listed_in_date_order() -> None:
    dates = [c.effective_on for c in records("status_changes.json") if c.effective_on]
    assert dates == sorted(dates)


def test_every_status_change_carries_its_effective_date_and_follows_the_lifecycle() -> None:
    steps: dict[str, list[Step]] = {}
    for seq, change in enumerate(records("status_changes.json"), start=1):
        assert change.effective_on is not None, change.number
        steps.setdefault(change.number, []).append(
            Step(change.status, change.effective_on, seq=seq)
        )
    for number, later in steps.items():
        issued = Step("VALID", certificates()[number].issued_on)
        assert timeline_problems([issued], later, CERTIFICATE_TRANSITIONS, today=TODAY) == [], (
            number
        )


# --------------------------------------------------------------------------- complaints


def test_complaints_are_against_institutions_and_concern_their_own_certificates() -> None:
    known, certs = institutions(), certificates()
    for index, complaint in enumerate(records("complaints.json")):
        where = f"complaints.json[{index}] {complaint.id}"
        assert complaint.against in known, f"{where}: against {complaint.against} unknown"
        if complaint.certificate is not None:
            assert complaint.certificate in certs, f"{where}: unknown certificate"
            certificate = certs[complaint.certificate]
            assert complaint.against in (certificate.issuer, certificate.holder), where


def test_closed_complaints_say_how_they_ended() -> None:
    for complaint in records("complaints.json"):
        if complaint.status in ("RESOLVED", "REJECTED", "CLOSED"):
            assert complaint.closed_on is not None, complaint.id
            assert complaint.resolution, complaint.id
            assert complaint.substantiated is not None, complaint.id
        else:
            assert complaint.closed_on is None, complaint.id


# --------------------------------------------------------------------------- credit


def test_credit_ratings_are_published_by_associations_about_institutions_in_their_province() -> (
    None
):
    known = institutions()
    for index, rating in enumerate(records("credit_ratings.json")):
        where = f"credit_ratings.json[{index}] {rating.id}"
        assert rating.association in known, f"{where}: association unknown"
        assert rating.institution in known, f"{where}: institution unknown"
        association = known[rating.association]
        assert InstitutionKind.ASSOCIATION in association.kinds, where
        assert association.region[:2] == known[rating.institution].region[:2], where


def test_credit_events_concern_institutions_and_weigh_good_and_bad_news_by_sign() -> None:
    known = institutions()
    bad = {
        "ADMINISTRATIVE_PENALTY",
        "ABNORMAL_OPERATION",
        "SERIOUS_VIOLATION",
        "RECTIFICATION_ORDER",
    }
    kinds = set()
    for index, event in enumerate(records("credit_events.json")):
        where = f"credit_events.json[{index}] {event.id}"
        assert event.institution in known, f"{where}: institution unknown"
        if event.kind in bad:
            assert event.weight < 0, where
        if event.kind == "COMMENDATION":
            assert event.weight > 0, where
        if event.public_until is not None:
            assert event.public_until > event.date, where
        kinds.add(event.kind)
    assert kinds == {
        "ADMINISTRATIVE_PENALTY",
        "ABNORMAL_OPERATION",
        "SERIOUS_VIOLATION",
        "COMMENDATION",
        "SPOT_CHECK",
        "SATISFACTION_SURVEY",
        "RECTIFICATION_ORDER",
    }


def test_every_rated_institution_is_a_member_of_the_association_that_rates_it() -> None:
    known = institutions()
    for index, rating in enumerate(records("credit_ratings.json")):
        where = f"credit_ratings.json[{index}] {rating.id}"
        assert rating.association in known[rating.institution].associations, where


def test_memberships_name_associations() -> None:
    known = institutions()
    for institution in known.values():
        for association in institution.associations:
            assert InstitutionKind.ASSOCIATION in known[association].kinds, institution.uscc


def test_rectification_orders_carry_a_deadline_and_an_outcome() -> None:
    orders = [e for e in records("credit_events.json") if e.kind == "RECTIFICATION_ORDER"]
    assert orders
    for order in orders:
        assert order.deadline is not None, order.id
        assert order.outcome is not None, order.id


def test_the_dalian_certificates_carry_the_stars_their_assessments_earn() -> None:
    assessed = {a.certificate: a for a in records("service_assessments.json")}
    held = certificates()

    # The six of seed 000 and the four re-certifications in force.
    assert sorted(assessed) == [
        "CCSC17SC0100",
        "CCSC17SC0200",
        "CCSC17SC0300",
        "CCSC18SC0400",
        "CCSC18SC0500",
        "CCSC18SC0600",
        "CCSC23SC0102R2",
        "CCSC23SC0202R2",
        "CCSC24SC0402R2",
        "CCSC24SC0502R2",
    ]
    for number, a in assessed.items():
        certificate = held[number]
        total = weighted_total([e.score for e in a.elements], [e.weight for e in a.elements])
        scheme = SERVICE_STANDARDS[certificate.standard]
        assert stars_from_score(scheme, total) == certificate.stars, number
        assert a.cpsq >= scheme.cpsq_threshold, number
        assert a.stage2_on <= certificate.issued_on, number
        assert all(e.assessed_on <= certificate.issued_on for e in a.elements), number


def test_stations_are_seeded_stations_routing_to_seeded_institutions() -> None:
    stations = {r.uscc: r for r in records("stations.json")}
    kinds = {uscc: i.kinds for uscc, i in institutions().items()}

    assert {u for u, k in kinds.items() if InstitutionKind.QUALITY_SERVICE_STATION in k} == set(
        stations
    )
    providers = {p for s in stations.values() for item in s.services for p in item.providers}
    assert providers <= set(kinds)


def test_benchmarks_name_seeded_holders() -> None:
    for benchmark in records("benchmarks.json"):
        assert benchmark.uscc in organizations() or benchmark.uscc in institutions()
