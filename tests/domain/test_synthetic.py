"""Specification of the synthetic registry generator (registry.synthetic)."""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # the project is not installed; pytest has no `pythonpath`
    sys.path.insert(0, str(PROJECT_ROOT))

from graph.cypher_store import CypherStore  # noqa: E402
from graph.models import (  # noqa: E402
    Accreditation,
    Certificate,
    CertificateQuery,
    Complaint,
    CreditEvent,
    CreditRating,
    Institution,
    InstitutionQuery,
    Organization,
    Region,
    StatusChange,
)
from graph.open import open_store  # noqa: E402
from registry.domain.uscc import is_valid_uscc  # noqa: E402
from registry.records import (  # noqa: E402
    AccreditationRecord,
    CertificateRecord,
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    InstitutionRecord,
    OrganizationRecord,
    PersonRecord,
    Record,
    RegionRecord,
    StatusChangeRecord,
)
from registry.synthetic import (  # noqa: E402
    REFERENCE_DAY,
    REGIONS,
    Roster,
    certificate_batch,
    certificate_batch_count,
    generate,
    iter_accreditation_batches,
    iter_certificate_batches,
    iter_complaint_batches,
    iter_credit_event_batches,
    iter_credit_rating_batches,
    iter_institution_batches,
    iter_organization_batches,
    iter_region_batches,
    plan_roster,
)

SMALL_INSTITUTIONS, SMALL_CERTIFICATES = 60, 300
OpenStore = Callable[[str], Awaitable[CypherStore]]


@pytest.fixture
async def open_fresh(tmp_path: Path) -> AsyncIterator[OpenStore]:
    """Opens empty embedded stores under ``tmp_path`` and closes them all afterwards."""
    opened: list[CypherStore] = []

    async def open_fresh_store(name: str) -> CypherStore:
        store = await open_store(f"falkordb+embedded://{tmp_path / name}")
        opened.append(store)
        return store

    try:
        yield open_fresh_store
    finally:
        for store in opened:
            await store.close()


@pytest.fixture(scope="module")
def roster() -> Roster:
    return plan_roster(seed=11, institutions=400, certificates=2500)


def all_certificates(roster: Roster) -> list[Certificate]:
    return [c for batch in iter_certificate_batches(roster) for c in batch.certificates]


def all_status_changes(roster: Roster) -> list[StatusChange]:
    return [s for batch in iter_certificate_batches(roster) for s in batch.status_changes]


def all_institutions(roster: Roster) -> list[Institution]:
    return list(itertools.chain.from_iterable(iter_institution_batches(roster)))


def all_accreditations(roster: Roster) -> list[Accreditation]:
    return list(itertools.chain.from_iterable(iter_accreditation_batches(roster)))


# against a real store --------------------------------------------------------------------------


async def test_generation_writes_the_requested_numbers(open_fresh: OpenStore) -> None:
    store = await open_fresh("db")

    report = await generate(
        store,
        seed=1,
        progress=False,
        institutions=SMALL_INSTITUTIONS,
        certificates=SMALL_CERTIFICATES,
    )

    assert (report.institutions, report.certificates) == (60, 300)
    assert report.organizations == 60
    assert report.regions == len(REGIONS)
    assert report.accreditations > 0
    assert report.credit_ratings == 30
    assert (report.credit_events, report.complaints) == (12, 6)
    assert report.rows_per_second > 0
    assert await store.count_institutions(InstitutionQuery()) == 60
    assert await store.count_certificates(CertificateQuery(today=REFERENCE_DAY)) == 300
    assert len(await store.get_regions()) == len(REGIONS)


async def listing(store: CypherStore) -> tuple[list[Institution], list[Certificate]]:
    """Every institution and certificate, read back page by page."""
    institutions: list[Institution] = []
    while institution_page := await store.list_institutions(
        InstitutionQuery(), after=institutions[-1].uscc if institutions else None, limit=100
    ):
        institutions += institution_page
    certificates: list[Certificate] = []
    query = CertificateQuery(today=REFERENCE_DAY)
    while certificate_page := await store.list_certificates(
        query, after=certificates[-1].number if certificates else None, limit=100
    ):
        certificates += certificate_page
    return institutions, certificates


async def test_the_same_seed_writes_identical_registries(open_fresh: OpenStore) -> None:
    first, second = await open_fresh("first"), await open_fresh("second")

    await generate(
        first,
        seed=5,
        progress=False,
        institutions=SMALL_INSTITUTIONS,
        certificates=SMALL_CERTIFICATES,
    )
    await generate(
        second,
        seed=5,
        progress=False,
        institutions=SMALL_INSTITUTIONS,
        certificates=SMALL_CERTIFICATES,
    )

    institutions, certificates = untimed_histories(*await listing(first))
    assert (institutions, certificates) == untimed_histories(*await listing(second))
    assert len(institutions) == 60
    assert len(certificates) == 300
    # The change log records every write; only its timestamps (and so hashes) may differ.
    logs = [await store.get_changes(after=0, limit=100_000) for store in (first, second)]
    assert [(c.seq, c.entity, c.key, c.op, untimed(c.data)) for c in logs[0]] == [
        (c.seq, c.entity, c.key, c.op, untimed(c.data)) for c in logs[1]
    ]


def untimed_histories(
    institutions: list[Institution], certificates: list[Certificate]
) -> tuple[list[Institution], list[Certificate]]:
    """The records without the times their status steps were recorded at."""

    def steps(history: tuple[StatusChange, ...]) -> tuple[StatusChange, ...]:
        return tuple(replace(step, recorded_at="") for step in history)

    return (
        [replace(i, history=steps(i.history)) for i in institutions],
        [replace(c, history=steps(c.history)) for c in certificates],
    )


def untimed(data: str) -> object:
    """A change's data without its timestamps (the keys named ``...At``)."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.endswith("At")}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(json.loads(data))


def test_another_seed_gives_other_data() -> None:
    one = plan_roster(seed=1, institutions=SMALL_INSTITUTIONS, certificates=SMALL_CERTIFICATES)
    two = plan_roster(seed=2, institutions=SMALL_INSTITUTIONS, certificates=SMALL_CERTIFICATES)

    assert all_institutions(one) != all_institutions(two)
    assert all_certificates(one) != all_certificates(two)


# the pure batches ------------------------------------------------------------------------------


def test_every_generated_model_is_a_valid_record(roster: Roster) -> None:
    certificates = all_certificates(roster)
    models: list[object] = [
        *itertools.chain.from_iterable(iter_region_batches()),
        *all_institutions(roster),
        *itertools.chain.from_iterable(iter_organization_batches(roster)),
        *all_accreditations(roster),
        *certificates,
        *all_status_changes(roster),
        *itertools.chain.from_iterable(iter_credit_rating_batches(roster)),
        *itertools.chain.from_iterable(iter_credit_event_batches(roster)),
        *itertools.chain.from_iterable(iter_complaint_batches(roster, cited=certificates[::50])),
    ]

    records = [as_record(model) for model in models]

    kinds = Counter(type(record).__name__ for record in records)
    assert set(kinds) == {
        "RegionRecord", "InstitutionRecord", "OrganizationRecord", "AccreditationRecord",
        "CertificateRecord", "StatusChangeRecord", "CreditRatingRecord", "CreditEventRecord",
        "ComplaintRecord",
    }  # fmt: skip


def test_batches_hold_at_most_a_thousand_models(roster: Roster) -> None:
    sizes = [len(batch.certificates) for batch in iter_certificate_batches(roster)]

    assert sizes == [1000, 1000, 500]
    assert all(len(batch) <= 1000 for batch in iter_accreditation_batches(roster))


def test_any_certificate_batch_can_be_rebuilt_alone(roster: Roster) -> None:
    batches = list(iter_certificate_batches(roster))

    assert certificate_batch_count(roster) == len(batches) == 3
    assert certificate_batch(roster, 2) == batches[2]
    with pytest.raises(IndexError):
        certificate_batch(roster, 3)


def test_keys_are_unique_and_codes_are_well_formed(roster: Roster) -> None:
    institutions = [i.uscc for i in all_institutions(roster)]
    holders = [o.uscc for batch in iter_organization_batches(roster) for o in batch]
    numbers = [c.number for c in all_certificates(roster)]
    accreditations = [a.number for a in all_accreditations(roster)]

    assert len(set(institutions + holders)) == len(institutions) + len(holders)
    assert len(set(numbers)) == len(numbers) == 2500
    assert len(set(accreditations)) == len(accreditations)
    assert all(is_valid_uscc(code) for code in institutions + holders)
    regions = {r.code for r in REGIONS}
    assert all(i.region in regions and i.uscc[2:8] == i.region for i in all_institutions(roster))


def test_regions_include_the_named_divisions_parents_first() -> None:
    names = {r.code: r.name for r in REGIONS}
    assert {"110000", "210000", "210100", "210200", "320000", "430000", "430100", "370600"} <= set(
        names
    )
    assert (names["210200"], names["430100"], names["370600"]) == ("大连市", "长沙市", "烟台市")
    seen: set[str] = set()
    for region in REGIONS:
        assert region.parent is None or region.parent in seen
        seen.add(region.code)
    assert sum(1 for r in REGIONS if r.level == "PROVINCE") == 31


def test_the_kind_mix_is_mostly_labs_with_a_few_certifiers_and_groups() -> None:
    roster = plan_roster(seed=3, institutions=5000, certificates=0)
    kinds = Counter(kind for own in roster.institution_kinds for kind in own)

    assert kinds["INSPECTION_TESTING"] > 0.7 * 5000
    assert 0.02 * 5000 < kinds["CERTIFICATION_BODY"] < 0.05 * 5000
    assert kinds["GROUP"] == 50
    assert kinds["ACCREDITATION_BODY"] >= 1
    assert kinds["REGULATOR"] >= 1
    assert all(kinds[k] > 0 for k in ("METROLOGY", "STANDARDIZATION", "ASSOCIATION"))
    assert roster.organizations == 1


def test_groups_come_before_their_members_and_share_their_city(roster: Roster) -> None:
    seen: dict[str, Institution] = {}
    members = 0
    for institution in all_institutions(roster):
        if institution.group is not None:
            group = seen[institution.group]
            assert group.kinds == ("GROUP",)
            assert group.region == institution.region
            members += 1
        seen[institution.uscc] = institution
    assert members > 0


def test_a_few_institutions_share_a_representative_or_an_address() -> None:
    institutions = all_institutions(plan_roster(seed=4, institutions=3000, certificates=0))
    people = Counter(i.legal_representative.key for i in institutions if i.legal_representative)
    addresses = Counter(i.address for i in institutions)

    shared_people = sum(n for n in people.values() if n > 1)
    shared_addresses = sum(n for n in addresses.values() if n > 1)
    assert 0 < shared_people < 0.1 * 3000
    assert 0 < shared_addresses < 0.1 * 3000


def test_certificates_cite_standards_their_issuer_was_approved_for(roster: Roster) -> None:
    approvals: dict[str, list[Accreditation]] = {}
    for accreditation in all_accreditations(roster):
        if accreditation.scheme == "CNCA_APPROVAL":
            approvals.setdefault(accreditation.holder, []).append(accreditation)

    for certificate in all_certificates(roster):
        assert any(
            a.valid_from <= certificate.issued_on <= a.valid_until
            and certificate.standard in a.scope
            for a in approvals[certificate.issuer]
        ), certificate.number


def test_certificates_look_like_a_real_register(roster: Roster) -> None:
    certificates = all_certificates(roster)
    stars = Counter(c.stars for c in certificates if c.family == "SERVICE")
    expired = sum(c.expires_on < REFERENCE_DAY for c in certificates)
    changes = all_status_changes(roster)

    assert {c.family for c in certificates} == {"PRODUCT", "SERVICE", "MANAGEMENT_SYSTEM"}
    assert all(c.stars is None for c in certificates if c.family != "SERVICE")
    assert set(stars) <= {1, 2, 3, 4, 5}
    assert stars[3] + stars[4] + stars[5] > 0.8 * stars.total()
    assert all(date(2015, 1, 1) <= c.issued_on <= REFERENCE_DAY for c in certificates)
    assert all((c.expires_on - c.issued_on).days in (1095, 1096) for c in certificates)
    assert 0.2 * 2500 < expired < 0.9 * 2500
    assert 0.01 * 2500 < len(changes) < 0.06 * 2500
    assert {s.status for s in changes} <= {"SUSPENDED", "WITHDRAWN", "CANCELLED"}
    assert all(s.effective_on <= REFERENCE_DAY for s in changes)


def test_too_few_institutions_are_refused() -> None:
    with pytest.raises(ValueError, match="institutions"):
        plan_roster(seed=1, institutions=5, certificates=10)


# conversion into the input records -------------------------------------------------------------


def as_record(model: object) -> Record:
    """The pydantic input record a partner would send for ``model`` (validated on creation)."""
    match model:
        case Region():
            return RegionRecord(
                code=model.code, name=model.name, level=model.level, parent=model.parent
            )
        case Institution():
            person = model.legal_representative
            return InstitutionRecord(
                uscc=model.uscc,
                name=model.name,
                kinds=list(model.kinds),
                region=model.region,
                address=model.address,
                legal_representative=None if person is None else PersonRecord(name=person.name),
                founded=model.founded,
                ownership=model.ownership,
                status=model.status,
                group=model.group,
            )
        case Organization():
            return OrganizationRecord(uscc=model.uscc, name=model.name, region=model.region)
        case Accreditation():
            return AccreditationRecord(
                number=model.number,
                scheme=model.scheme,
                body=model.body,
                holder=model.holder,
                scope=list(model.scope),
                valid_from=model.valid_from,
                valid_until=model.valid_until,
                status=model.status,
            )
        case Certificate():
            return CertificateRecord(
                number=model.number,
                family=model.family,
                standard=model.standard,
                scope=model.scope,
                stars=model.stars,
                issued_on=model.issued_on,
                expires_on=model.expires_on,
                issuer=model.issuer,
                holder=model.holder,
                status=model.status,
                status_reason=model.status_reason,
            )
        case StatusChange():
            return StatusChangeRecord(
                number=model.number,
                status=model.status,
                reason=model.reason,
                effective_on=model.effective_on,
            )
        case CreditRating():
            return CreditRatingRecord(
                id=model.id,
                association=model.association,
                institution=model.institution,
                grade=model.grade,
                score=model.score,
                period=model.period,
                published_on=model.published_on,
                valid_until=model.valid_until,
                method=model.method,
                evidence=model.evidence,
            )
        case CreditEvent():
            return CreditEventRecord(
                id=model.id,
                institution=model.institution,
                kind=model.kind,
                date=model.date,
                authority=model.authority,
                weight=model.weight,
                description=model.description,
                public_until=model.public_until,
                deadline=model.deadline,
                outcome=model.outcome,
                repaired_on=model.repaired_on,
                repair_note=model.repair_note,
            )
        case Complaint():
            return ComplaintRecord(
                id=model.id,
                against=model.against,
                certificate=model.certificate,
                channel=model.channel,
                category=model.category,
                status=model.status,
                substantiated=model.substantiated,
                filed_on=model.filed_on,
                closed_on=model.closed_on,
                details=model.details,
                resolution=model.resolution,
            )
    raise TypeError(f"no record for {type(model).__name__}")
