"""Service-certification standards as data, and the assessment behind a certificate's stars
(issue 16). All of it is public: totals, stars, CPSQ and evidence summaries name no person."""

from __future__ import annotations

from datetime import date

import strawberry

from graph.service_models import ServiceAssessment as AssessmentModel
from registry.domain import service_standards as standards
from registry.domain.satisfaction import Confirmation
from registry.domain.vocabulary import AssessmentElement

__all__ = [
    "AssessedElement",
    "AssessedElementInput",
    "AuditStage",
    "ConfirmServiceAssessmentInput",
    "ServiceAssessment",
    "ServiceAssessmentInput",
    "ServiceStandard",
    "StandardTerm",
    "StarBand",
    "StarsExplanation",
]


@strawberry.type(description="An indicator class or a service characteristic of a standard.")
class StandardTerm:
    code: str
    name_zh: str
    name_en: str
    source: str = strawberry.field(description="The seed document it comes from, or why assumed.")
    assumed: bool = strawberry.field(description="Not given by the source documents.")

    @classmethod
    def of(cls, term: standards.Term) -> StandardTerm:
        return cls(
            code=term.code,
            name_zh=term.name_zh,
            name_en=term.name_en,
            source=term.source,
            assumed=term.source == standards.ASSUMED,
        )


@strawberry.type(description="A total of at least minScore earns this many stars.")
class StarBand:
    stars: int
    min_score: float


@strawberry.type(
    description="A service-certification standard or scheme as the registry models it: what "
    "it asks about, how its assessment is made up, and how a total becomes stars. Every "
    "figure says its source; `assumed` ones are not given by the source documents."
)
class ServiceStandard:
    code: str
    title_zh: str
    title_en: str
    source: str
    indicator_classes: list[StandardTerm]
    characteristics: list[StandardTerm]
    elements: list[AssessmentElement] = strawberry.field(
        description="The parts every assessment under it must have, each once."
    )
    elements_source: str
    star_bands: list[StarBand] = strawberry.field(description="Highest first.")
    star_bands_source: str
    star_bands_assumed: bool
    score_max: float = strawberry.field(description="Scores and totals run from 0 to this.")
    cpsq_target: float = strawberry.field(
        description="The customer-perceived service quality index to reach before stage 2."
    )
    cpsq_target_source: str
    cpsq_target_assumed: bool

    @classmethod
    def of(cls, s: standards.ServiceStandard) -> ServiceStandard:
        return cls(
            code=s.code,
            title_zh=s.title_zh,
            title_en=s.title_en,
            source=s.source,
            indicator_classes=[StandardTerm.of(t) for t in s.indicator_classes],
            characteristics=[StandardTerm.of(t) for t in s.characteristics],
            elements=list(s.elements),
            elements_source=s.elements_source,
            star_bands=[StarBand(stars=b.stars, min_score=b.min_score) for b in s.bands],
            star_bands_source=s.bands_source,
            star_bands_assumed=s.bands_source == standards.ASSUMED,
            score_max=standards.SCORE_MAX,
            cpsq_target=s.cpsq_threshold,
            cpsq_target_source=s.cpsq_source,
            cpsq_target_assumed=s.cpsq_source == standards.ASSUMED,
        )


@strawberry.type(description="One part of an assessment: its score, weight, date, evidence.")
class AssessedElement:
    element: AssessmentElement
    score: float
    weight: float
    weighted_score: float
    assessed_on: date
    evidence: str = strawberry.field(description="What was looked at (no auditor is named).")


def _elements(m: AssessmentModel) -> list[AssessedElement]:
    return [
        AssessedElement(
            element=AssessmentElement(element),
            score=score,
            weight=weight,
            weighted_score=round(score * weight, 2),
            assessed_on=date.fromisoformat(on),
            evidence=evidence,
        )
        for element, score, weight, on, evidence in zip(
            m.elements, m.scores, m.weights, m.element_dates, m.evidence, strict=True
        )
    ]


@strawberry.type(description="One audit stage: when it was held and its on-site person-days.")
class AuditStage:
    held_on: date
    person_days: float


@strawberry.type(
    description="How a service certificate's stars were earned: audit, service footprint, "
    "open service test and mystery customer, weighted into a total that the scheme's bands "
    "turn into stars, after a CPSQ that reached its target between the two audit stages."
)
class ServiceAssessment:
    certificate: str
    scheme: str
    elements: list[AssessedElement]
    total: float
    stars_from_score: int | None = strawberry.field(
        description="The stars the total earns under the scheme (the certificate carries these)."
    )
    cpsq: float
    cpsq_measured_on: date
    cpsq_target: float | None
    stage1: AuditStage
    stage2: AuditStage
    stage1_share: float = strawberry.field(
        description="Stage 1's part of the on-site person-days; seed 004 expects 0.4 to 0.6."
    )
    stage1_share_within_guideline: bool
    confirmed_on: date | None = strawberry.field(
        description="When the holder's regulator confirmed the holder sought and holds the "
        "certificate (confirmServiceAssessment): from that day its stars count in the "
        "holder's credit; null until then."
    )
    confirmation: Confirmation | None
    version: int
    model: strawberry.Private[AssessmentModel]

    @classmethod
    def of(cls, m: AssessmentModel) -> ServiceAssessment:
        standard = standards.service_standard(m.scheme)
        total = standards.weighted_total(m.scores, m.weights)
        days = m.stage1_person_days + m.stage2_person_days
        share = round(m.stage1_person_days / days, 4)
        low, high = standards.STAGE1_SHARE
        return cls(
            certificate=m.certificate,
            scheme=m.scheme,
            elements=_elements(m),
            total=total,
            stars_from_score=None
            if standard is None
            else standards.stars_from_score(standard, total),
            cpsq=m.cpsq,
            cpsq_measured_on=m.cpsq_on,
            cpsq_target=None if standard is None else standard.cpsq_threshold,
            stage1=AuditStage(held_on=m.stage1_on, person_days=m.stage1_person_days),
            stage2=AuditStage(held_on=m.stage2_on, person_days=m.stage2_person_days),
            stage1_share=share,
            stage1_share_within_guideline=low <= share <= high,
            confirmed_on=m.confirmed_on,
            confirmation=None if m.confirmation is None else Confirmation(m.confirmation),
            version=m.version,
            model=m,
        )

    @strawberry.field(description="The scheme as the registry models it.")
    def standard(self) -> ServiceStandard | None:
        found = standards.service_standard(self.scheme)
        return None if found is None else ServiceStandard.of(found)


@strawberry.type(
    description="Why a service certificate has its stars, for anyone verifying it: the "
    "assessment's total, the band of the scheme it falls in, and the CPSQ reached."
)
class StarsExplanation:
    stars: int | None
    stars_from_score: int | None
    agrees: bool = strawberry.field(description="The certificate carries the stars it earned.")
    scheme: str
    scheme_title_zh: str | None
    scheme_title_en: str | None
    total: float
    cpsq: float
    cpsq_target: float | None
    star_bands: list[StarBand]
    star_bands_assumed: bool
    elements: list[AssessedElement]
    message: str
    message_zh: str

    @classmethod
    def of(cls, m: AssessmentModel, stars: int | None) -> StarsExplanation:
        standard = standards.service_standard(m.scheme)
        total = standards.weighted_total(m.scores, m.weights)
        earned = None if standard is None else standards.stars_from_score(standard, total)
        bands = () if standard is None else standard.bands
        return cls(
            stars=stars,
            stars_from_score=earned,
            agrees=earned == stars,
            scheme=m.scheme,
            scheme_title_zh=None if standard is None else standard.title_zh,
            scheme_title_en=None if standard is None else standard.title_en,
            total=total,
            cpsq=m.cpsq,
            cpsq_target=None if standard is None else standard.cpsq_threshold,
            star_bands=[StarBand(stars=b.stars, min_score=b.min_score) for b in bands],
            star_bands_assumed=standard is None or standard.bands_source == standards.ASSUMED,
            elements=_elements(m),
            message=_sentence(m.scheme, total, earned, bands),
            message_zh=_sentence_zh(m.scheme, total, earned, bands),
        )


def _floor(earned: int | None, bands: tuple[standards.StarBand, ...]) -> float | None:
    return next((b.min_score for b in bands if b.stars == earned), None)


def _sentence(
    scheme: str, total: float, earned: int | None, bands: tuple[standards.StarBand, ...]
) -> str:
    floor = _floor(earned, bands)
    if earned is None or floor is None:
        return f"A total of {total:g} under {scheme} earns no stars."
    return (
        f"A weighted total of {total:g} under {scheme}: {floor:g} or more earns {earned} star(s)."
    )


def _sentence_zh(
    scheme: str, total: float, earned: int | None, bands: tuple[standards.StarBand, ...]
) -> str:
    floor = _floor(earned, bands)
    if earned is None or floor is None:
        return f"依据{scheme},加权总分{total:g},未达到星级。"
    return f"依据{scheme},加权总分{total:g};{floor:g}分及以上为{earned}星级。"


@strawberry.input(description="One part of an assessment.")
class AssessedElementInput:
    element: AssessmentElement
    score: float = strawberry.field(description="0 to 100.")
    weight: float = strawberry.field(description="Above 0, at most 1; the weights add to 1.")
    assessed_on: date
    evidence: str = strawberry.field(
        description="What was looked at, up to 500 characters; public, so name no person."
    )


@strawberry.input(
    description="The assessment behind a service certificate's stars, recorded by its issuer: "
    "each of its scheme's elements once, weights adding to 1, the CPSQ measured between the "
    "two audit stages, stage 2 no later than the issue date. The certificate's stars must be "
    "the ones the weighted total earns under its standard (STARS_DISAGREE_WITH_ASSESSMENT)."
)
class ServiceAssessmentInput:
    certificate: str
    elements: list[AssessedElementInput]
    cpsq: float = strawberry.field(description="Customer-perceived service quality index, 0-100.")
    cpsq_measured_on: date
    stage1_on: date
    stage1_person_days: float
    stage2_on: date
    stage2_person_days: float
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(
    description="The holder's regulator: the holder sought and holds this service certificate "
    "(CALL_BACK: the holder was reached and confirmed it; SIGNED_FORM: its application or "
    "certification contract, signed or sealed by its head, was seen)."
)
class ConfirmServiceAssessmentInput:
    certificate: str
    confirmation: Confirmation
