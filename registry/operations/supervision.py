"""Classes of classified supervision from stored facts, with the hard rules' evidence.

Today's score is read as stored, a past day's computed from the facts of that day; the hard
rules read the credit file, the complaints and the certificates each institution issued in the
last years, judged by the same chain of trust as the verification page (``domain.anomalies``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from graph.models import CertificateQuery, CreditFacts, VerificationFacts
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.auth import Principal
from registry.domain.anomalies import CertificateFinding, certificate_finding
from registry.domain.hard_rules import findings_since, hard_rules
from registry.domain.regions import regions_below
from registry.domain.supervision import (
    DEFAULT_RATES,
    ClassDecision,
    SupervisionClass,
    is_supervised,
    supervision_class,
)
from registry.domain.vocabulary import Role
from registry.operations.credit import assessed, assessments, credit_facts
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.scans import one_scan_at_a_time
from registry.records import FieldProblem

__all__ = [
    "MAX_FINDINGS_SCAN",
    "FairDraw",
    "fair_draw",
    "supervision_classes",
    "supervision_decisions",
]

# Certificates read per issuer for the hard rules, as many as the network's anomaly scan.
MAX_FINDINGS_SCAN = 20_000
_PAGE = 1_000


async def _findings(
    store: GraphStore, issuers: Sequence[str], day: date
) -> dict[str, list[CertificateFinding]]:
    """What the chain of trust finds in the certificates each issuer issued in the years up
    to ``day`` (not after it: a class on a past day cites no certificate issued since)."""
    if not issuers:
        return defaultdict(list)
    async with one_scan_at_a_time():
        return await _find(store, issuers, day)


async def _find(
    store: GraphStore, issuers: Sequence[str], day: date
) -> dict[str, list[CertificateFinding]]:
    found: dict[str, list[CertificateFinding]] = defaultdict(list)
    since = findings_since(day)
    bodies = {i.uscc: i for i in await store.get_institutions(issuers)}
    held = defaultdict(list)
    for accreditation in await store.get_accreditations_held(issuers):
        held[accreditation.holder].append(accreditation)
    for issuer in issuers:
        query = CertificateQuery(today=day, issuer=issuer)
        after: str | None = None
        for _ in range(MAX_FINDINGS_SCAN // _PAGE):
            page = await store.list_certificates(query, after=after, limit=_PAGE)
            for certificate in page:
                if not since <= certificate.issued_on <= day:  # issued in the window, by then
                    continue
                facts = VerificationFacts(
                    certificate, None, bodies.get(issuer), tuple(held[issuer])
                )
                finding = certificate_finding(facts, today=day)
                if finding is not None:
                    found[issuer].append(finding)
            if len(page) < _PAGE:
                break
            after = page[-1].number
    return found


async def _decide(
    store: GraphStore, facts: Sequence[CreditFacts], day: date, *, today: date
) -> dict[str, ClassDecision]:
    supervised = [f for f in facts if is_supervised(f.kinds)]
    if not supervised:
        return {}
    usccs = [f.uscc for f in supervised]
    # Today's class rests on the stored score; a past day's on the score of that day.
    scored = await assessments(store, usccs, today) if day == today else assessed(supervised, day)
    complaints = defaultdict(list)
    for complaint in await store.get_complaints_against(usccs):
        complaints[complaint.against].append(complaint)
    findings = await _findings(store, [f.uscc for f in supervised if f.certificates_issued], day)
    decisions: dict[str, ClassDecision] = {}
    for f in supervised:
        rules = hard_rules(
            events=f.events, complaints=complaints[f.uscc], findings=findings[f.uscc], today=day
        )
        decisions[f.uscc] = supervision_class(scored[f.uscc], rules)
    return decisions


async def supervision_decisions(
    store: GraphStore, usccs: Sequence[str], day: date, *, today: date, withheld: bool = False
) -> dict[str, ClassDecision]:
    """The class on ``day`` and its reasons for each supervised institution among ``usccs``;
    the others (regulators, accreditation bodies, associations, groups, unknown keys) are
    left out. ``withheld``: a past day judged without the credit records the public no
    longer sees today (its reasons name none of them)."""
    decisions: dict[str, ClassDecision] = {}
    shown_on = today if withheld and day < today else None
    for start in range(0, len(usccs), MAX_WRITE_BATCH):
        batch = usccs[start : start + MAX_WRITE_BATCH]
        facts = await credit_facts(store, batch, day, past=day < today, shown_on=shown_on)
        decisions |= await _decide(store, facts, day, today=today)
    return decisions


async def supervision_classes(
    store: GraphStore, usccs: Sequence[str], day: date, *, today: date
) -> dict[str, SupervisionClass]:
    """The class on ``day`` of each supervised institution among ``usccs``."""
    decisions = await supervision_decisions(store, usccs, day, today=today)
    return {u: d.class_ for u, d in decisions.items()}


@dataclass(frozen=True, slots=True)
class FairDraw:
    """The seed a plan is drawn with, and the regions no other plan of its day may cover
    when it lands (its own, those above it and those below it; none for ADMIN)."""

    seed: int
    alone_in: tuple[str, ...] = ()


async def fair_draw(
    store: GraphStore,
    principal: Principal,
    region: str,
    day: date,
    seed: int | None,
    *,
    rates: Mapping[SupervisionClass, float],
    today: date,
) -> FairDraw:
    """How a plan is drawn fairly (双随机): by the registry, today, once a day over any
    institution. A regulator that chose its seed could search offline for one whose draw
    left someone out; one that drew again (or drew a city, then each of its districts, or
    sent requests at once) kept the draw it liked; one that dated a plan back or ahead drew
    on another day's classes; one that set a class's rate to 0 exempted it, class D too. A
    regulator may check a class more often than the default rates, never less. ADMIN records
    archives, seed, day and rates given."""
    if principal.role is Role.ADMIN:
        return FairDraw(secrets.randbelow(_SEEDS) if seed is None else seed)
    lowered = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"class {c} is drawn at {DEFAULT_RATES[c]} or more",
            f"input.rates.{c.value.lower()}",
        )
        for c, rate in rates.items()
        if rate < DEFAULT_RATES[c]
    ]
    if seed is not None:
        lowered.insert(
            0, FieldProblem("NOT_AUTHORIZED", "the registry draws the seed", "input.seed")
        )
    if lowered:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, lowered)
    if day != today:
        raise Refusal(
            RefusalKind.INVALID_INPUT,
            [FieldProblem("INVALID_VALUE", f"a plan is drawn today, {today}", "input.date")],
        )
    regions = await store.get_regions()
    parents = {r.code: r.parent for r in regions}
    above: list[str] = []
    code = parents.get(region)
    while code is not None and code not in above:
        above.append(code)
        code = parents.get(code)
    overlapping = regions_below(regions, [region]) | set(above)
    return FairDraw(secrets.randbelow(_SEEDS), tuple(sorted(overlapping)))


_SEEDS = 2**31
