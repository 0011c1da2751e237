"""Classified supervision and 'double random, one public' (双随机、一公开) spot-check plans.

Only market institutions are supervised: those who supervise, accredit, rate or own them are
never classed, ranked or drawn. Risk classes come from the credit score plus hard rules no
score can outweigh, each with the records that prove it. Plans are drawn with a published seed
from sorted inputs, so anyone can redraw a published plan and check its digest.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from registry.domain.credit_score import CreditAssessment
from registry.domain.vocabulary import InstitutionKind

__all__ = [
    "CLASS_CUTOFFS",
    "DEFAULT_RATES",
    "NEVER_SUPERVISED_KINDS",
    "SUPERVISED_KINDS",
    "ClassDecision",
    "Draw",
    "Evidence",
    "Inspector",
    "Plan",
    "PlanInstitution",
    "Reason",
    "SupervisionClass",
    "SupervisionReasonCode",
    "class_for_score",
    "draw_supervision_plan",
    "drawn_institutions",
    "is_supervised",
    "supervision_class",
]

# The market institutions classified supervision is for: inspection and testing,
# certification, metrology and standardization services, one-stop quality service stations.
SUPERVISED_KINDS = frozenset(
    {
        InstitutionKind.INSPECTION_TESTING,
        InstitutionKind.CERTIFICATION_BODY,
        InstitutionKind.METROLOGY,
        InstitutionKind.STANDARDIZATION,
        InstitutionKind.QUALITY_SERVICE_STATION,
    }
)
# Those who supervise, accredit, rate or own the market institutions are never among them,
# whatever else they are listed as.
NEVER_SUPERVISED_KINDS = frozenset(
    {
        InstitutionKind.REGULATOR,
        InstitutionKind.ACCREDITATION_BODY,
        InstitutionKind.ASSOCIATION,
        InstitutionKind.GROUP,
    }
)


def is_supervised(kinds: Iterable[str]) -> bool:
    """A market institution: scored, classed, ranked and drawn for spot checks."""
    given = set(kinds)
    return bool(given & SUPERVISED_KINDS) and not given & NEVER_SUPERVISED_KINDS


class SupervisionClass(StrEnum):
    """A is low risk (rarely checked), D high risk (always checked); UNRATED has no evidence
    yet either way."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    UNRATED = "UNRATED"


# Same cut-offs as the credit grades: the class is the grade unless a hard rule applies.
CLASS_CUTOFFS: tuple[tuple[SupervisionClass, float], ...] = (
    (SupervisionClass.A, 85.0),
    (SupervisionClass.B, 70.0),
    (SupervisionClass.C, 55.0),
)
# Nothing known is neither low nor high risk: the unrated are checked as often as class B,
# and a check gives them their first record.
DEFAULT_RATES: Mapping[SupervisionClass, float] = {
    SupervisionClass.A: 0.05,
    SupervisionClass.B: 0.10,
    SupervisionClass.C: 0.30,
    SupervisionClass.D: 1.0,
    SupervisionClass.UNRATED: 0.10,
}


class SupervisionReasonCode(StrEnum):
    SCORE = "SCORE"  # the class of the credit score
    NO_EVIDENCE = "NO_EVIDENCE"  # unrated
    SERIOUS_VIOLATION = "SERIOUS_VIOLATION"
    ISSUED_WITHOUT_ACCREDITATION = "ISSUED_WITHOUT_ACCREDITATION"
    ISSUED_OUTSIDE_SCOPE = "ISSUED_OUTSIDE_SCOPE"
    OVERDUE_SUBSTANTIATED_COMPLAINT = "OVERDUE_SUBSTANTIATED_COMPLAINT"
    NOT_RECTIFIED_BY_DEADLINE = "NOT_RECTIFIED_BY_DEADLINE"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A record of the registry a reason rests on, named as the change feed names it."""

    entity: str  # Certificate, Accreditation, Complaint, CreditEvent
    key: str

    def __str__(self) -> str:
        return f"{self.entity}:{self.key}"


@dataclass(frozen=True, slots=True)
class Reason:
    code: SupervisionReasonCode
    text: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassDecision:
    class_: SupervisionClass
    reasons: tuple[Reason, ...]


def class_for_score(score: float) -> SupervisionClass:
    for class_, cutoff in CLASS_CUTOFFS:
        if score >= cutoff:
            return class_
    return SupervisionClass.D


def supervision_class(assessment: CreditAssessment, hard_rules: Sequence[Reason]) -> ClassDecision:
    """The score's class (UNRATED without evidence), unless a hard rule forces D: then every
    rule that applies is a reason, followed by what the score alone would have given."""
    if assessment.score is None:
        class_ = SupervisionClass.UNRATED
        base = Reason(SupervisionReasonCode.NO_EVIDENCE, "no evidence to score yet: class UNRATED")
    else:
        class_ = class_for_score(assessment.score)
        base = Reason(
            SupervisionReasonCode.SCORE, f"credit score {assessment.score:.1f} → class {class_}"
        )
    if not hard_rules:
        return ClassDecision(class_, (base,))
    if class_ is SupervisionClass.D:
        return ClassDecision(class_, (*hard_rules, base))
    overruled = Reason(base.code, f"{base.text}, overruled by the hard rules above")
    return ClassDecision(SupervisionClass.D, (*hard_rules, overruled))


@dataclass(frozen=True, slots=True)
class PlanInstitution:
    uscc: str
    class_: SupervisionClass
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Inspector:
    id: str
    employer: str | None = None  # USCC of the institution employing the inspector
    group: str | None = None  # USCC of the employer's group


@dataclass(frozen=True, slots=True)
class Draw:
    uscc: str
    class_: SupervisionClass
    inspectors: tuple[str, ...]
    shortfall: int = 0  # inspectors missing because too few were eligible


@dataclass(frozen=True, slots=True)
class Plan:
    seed: int
    rates: tuple[tuple[SupervisionClass, float], ...]
    per_institution: int
    population: tuple[tuple[SupervisionClass, int], ...]
    draws: tuple[Draw, ...]
    # The inspectors drawn from, with the employers and groups given for them: published, so
    # a regulator that steered an inspector by declaring the others conflicted is seen to
    # (twenty-fourth session's review).
    pool: tuple[Inspector, ...] = ()
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        payload = self.canonical_json().encode()
        object.__setattr__(self, "digest", hashlib.sha256(payload).hexdigest())

    @property
    def shortfalls(self) -> tuple[Draw, ...]:
        return tuple(d for d in self.draws if d.shortfall)

    def canonical_json(self) -> str:
        """Sorted keys, no spaces, UTF-8: the bytes the digest is taken over."""
        body = {
            "seed": self.seed,
            "rates": {str(c): r for c, r in self.rates},
            "per_institution": self.per_institution,
            "population": {str(c): n for c, n in self.population},
            "draws": [
                {
                    "uscc": d.uscc,
                    "class": str(d.class_),
                    "inspectors": list(d.inspectors),
                    "shortfall": d.shortfall,
                }
                for d in self.draws
            ],
            "inspectors": [
                {"id": i.id, "employer": i.employer, "group": i.group} for i in self.pool
            ],
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def drawn_institutions(canonical_json: str) -> frozenset[str]:
    """The institutions a published plan (its canonical JSON) sends inspectors to."""
    return frozenset(str(d["uscc"]) for d in json.loads(canonical_json)["draws"])


def _sample_size(rate: float, population: int) -> int:
    """Round up, so a non-empty class with a positive rate is never skipped."""
    if population == 0 or rate <= 0:
        return 0
    return min(population, math.ceil(rate * population - 1e-9))


def _conflicted(inspector: Inspector, institution: PlanInstitution) -> bool:
    theirs = {inspector.employer, inspector.group} - {None}
    ours = {institution.uscc, institution.group} - {None}
    return bool(theirs & ours)


def draw_supervision_plan(
    institutions: Sequence[PlanInstitution],
    inspectors: Sequence[Inspector],
    *,
    seed: int,
    rates: Mapping[SupervisionClass, float] | None = None,
    per_institution: int = 2,
    previous: Mapping[str, frozenset[str]] | None = None,
) -> Plan:
    """Draw institutions per class at its rate, then inspectors for each drawn institution.

    No inspector goes to their own employer or group, nor back to an institution they were
    sent to in ``previous``; when too few are eligible the draw records a shortfall.
    """
    chosen_rates = {**DEFAULT_RATES, **(rates or {})}
    for class_, rate in chosen_rates.items():
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate for class {class_} must be within 0..1, got {rate}")
    if per_institution < 1:
        raise ValueError("per_institution must be at least 1")
    by_uscc = {i.uscc: i for i in institutions}
    pool = sorted({i.id: i for i in inspectors}.values(), key=lambda i: i.id)
    if len(by_uscc) != len(institutions) or len(pool) != len(inspectors):
        raise ValueError("institutions and inspectors must be unique")
    previous = previous or {}
    rng = random.Random(seed)  # noqa: S311 - reproducibility from a published seed is the point
    population: list[tuple[SupervisionClass, int]] = []
    drawn: list[PlanInstitution] = []
    for class_ in SupervisionClass:
        members = sorted((i for i in institutions if i.class_ == class_), key=lambda i: i.uscc)
        population.append((class_, len(members)))
        drawn.extend(rng.sample(members, _sample_size(chosen_rates[class_], len(members))))
    draws = []
    for institution in sorted(drawn, key=lambda i: i.uscc):
        barred = previous.get(institution.uscc, frozenset())
        eligible = [i for i in pool if i.id not in barred and not _conflicted(i, institution)]
        team = rng.sample(eligible, min(per_institution, len(eligible)))
        draws.append(
            Draw(
                institution.uscc,
                institution.class_,
                tuple(sorted(i.id for i in team)),
                per_institution - len(team),
            )
        )
    return Plan(
        seed=seed,
        rates=tuple((c, chosen_rates[c]) for c in SupervisionClass),
        per_institution=per_institution,
        population=tuple(population),
        draws=tuple(draws),
        pool=tuple(pool),
    )
