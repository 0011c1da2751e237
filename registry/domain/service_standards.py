"""The service-certification standards as data: what each asks about, how its assessment is
made up, and the bands that turn an assessment's total into stars.

Every figure says where it comes from. The seed documents (``seed 000``: Dalian's service
certification of inspection institutes; ``seed 004``: the service-certification explainer)
name the standards, GA/T 594's three indicator classes, the Dalian scheme's nine service
characteristics and its four-part assessment, and the rule that the CPSQ must be reached
before the stage-2 audit. They give no score scale, no star thresholds and no CPSQ target:
those are ``ASSUMED`` here, and docs/service-certification.md says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from registry.domain.vocabulary import AssessmentElement

__all__ = [
    "ASSUMED",
    "SCORE_MAX",
    "SERVICE_STANDARDS",
    "STAGE1_SHARE",
    "ServiceStandard",
    "StarBand",
    "Term",
    "certificate_disagreement",
    "scheme_problems",
    "service_standard",
    "stars_disagreement",
    "stars_from_score",
    "weighted_total",
]

ASSUMED = "assumed: the source documents give no figure"
SEED_000 = "seed 000: Dalian inspection-institute service certification"
SEED_004 = "seed 004: service-certification explainer"
SCORE_MAX = 100.0  # ASSUMED: every score (element, total, CPSQ) on a 0-100 scale
# Seed 004: in service certification stage 1 takes 2/5 to 3/5 of the on-site person-days
# ("一般需要", a guideline, so reported, not enforced).
STAGE1_SHARE = (0.4, 0.6)


@dataclass(frozen=True, slots=True)
class Term:
    """An indicator class or a service characteristic, with its source."""

    code: str
    name_zh: str
    name_en: str
    source: str


@dataclass(frozen=True, slots=True)
class StarBand:
    """A total of at least ``min_score`` earns ``stars``."""

    stars: int
    min_score: float


@dataclass(frozen=True, slots=True)
class ServiceStandard:
    code: str
    title_zh: str
    title_en: str
    source: str  # where the registry learned of the standard and its title
    indicator_classes: tuple[Term, ...]
    characteristics: tuple[Term, ...]
    elements: tuple[AssessmentElement, ...]
    elements_source: str
    bands: tuple[StarBand, ...]  # highest first
    bands_source: str
    cpsq_threshold: float
    cpsq_source: str


def _terms(source: str, *rows: tuple[str, str, str]) -> tuple[Term, ...]:
    return tuple(Term(code, zh, en, source) for code, zh, en in rows)


# ASSUMED bands: five stars from 90, four from 80, three from 70, two from 60, one from 50.
_BANDS = tuple(
    StarBand(stars, float(floor)) for stars, floor in ((5, 90), (4, 80), (3, 70), (2, 60), (1, 50))
)
_ALL_ELEMENTS = tuple(AssessmentElement)
_CPSQ_TARGET = 80.0  # ASSUMED: seed 004 requires a target, without a figure

_NINE_CHARACTERISTICS = _terms(
    SEED_000,
    ("FAIRNESS", "公正性", "fairness"),
    ("INTEGRITY", "诚信", "integrity"),
    ("PROFESSIONALISM", "专业性", "professionalism"),
    ("TIMELINESS", "及时性", "timeliness"),
    ("CONFIDENTIALITY", "保密性", "confidentiality"),
    ("ECOLOGY", "生态", "ecology"),
    ("SAFETY", "安全性", "safety"),
    ("CIVILITY", "文明性", "civility"),
    ("CONVENIENCE", "便利性", "convenience"),
)


def _standard(
    *,
    code: str,
    title_zh: str,
    title_en: str,
    source: str,
    indicator_classes: tuple[Term, ...],
    characteristics: tuple[Term, ...],
    elements_source: str = ASSUMED,
) -> ServiceStandard:
    """A standard assessed like the Dalian scheme: the four elements, and the star bands
    and CPSQ target no document gives a figure for (assumed, and marked so)."""
    return ServiceStandard(
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        source=source,
        indicator_classes=indicator_classes,
        characteristics=characteristics,
        elements=_ALL_ELEMENTS,
        elements_source=elements_source,
        bands=_BANDS,
        bands_source=ASSUMED,
        cpsq_threshold=_CPSQ_TARGET,
        cpsq_source=ASSUMED,
    )


SERVICE_STANDARDS: Mapping[str, ServiceStandard] = {
    s.code: s
    for s in (
        _standard(
            code="GB/T 27922-2011",
            title_zh="商品售后服务评价体系",
            title_en="Evaluation system of after-sales service of commodities",
            source=SEED_004,
            # Seed 004: it audits an enterprise's service capability and rates its service
            # level; the after-sales items below are the seeds' certificate scopes, not the
            # documents' words.
            indicator_classes=(
                *_terms(
                    SEED_004,
                    ("SERVICE_CAPABILITY", "服务能力", "service capability"),
                    ("SERVICE_LEVEL", "服务水平", "service level"),
                ),
                *_terms(
                    ASSUMED,
                    ("DELIVERY", "配送", "delivery"),
                    ("INSTALLATION", "安装", "installation"),
                    ("REPAIR", "维修", "repair and maintenance"),
                    ("RETURN_EXCHANGE", "退换货", "returns and exchanges"),
                ),
            ),
            characteristics=(),
        ),
        _standard(
            code="SB/T 10595-2011",
            title_zh="清洁行业经营服务规范",
            title_en="Cleaning services: operation and service specification",
            source=SEED_004 + " (names the code; the title is the standard's own)",
            indicator_classes=_terms(
                SEED_004,
                ("SERVICE_CAPABILITY", "服务能力", "service capability"),
                ("PROFESSIONAL_LEVEL", "专业水平", "professional level"),
            ),
            characteristics=(),
        ),
        _standard(
            code="GA/T 594-2006",
            title_zh="保安服务操作规程与质量控制",
            title_en="Security services: operating procedures and quality control",
            source=SEED_004 + " (names the code; the title is the standard's own)",
            indicator_classes=_terms(
                SEED_004,
                ("SERVICE_CAPABILITY", "服务能力", "service capability"),
                ("SERVICE_PROCESS", "服务过程", "service process"),
                ("SERVICE_PERFORMANCE", "服务绩效", "service performance"),
            ),
            characteristics=(),
        ),
        _standard(
            code="CCSC-SC-JYJC-2017",
            title_zh="检验检测服务认证要求",
            title_en="Requirements for certification of inspection and testing services "
            "(the Dalian scheme)",
            source=SEED_000,
            indicator_classes=_terms(
                SEED_000,
                ("SERVICE_ENVIRONMENT", "服务环境", "service environment"),
                ("SERVICE_FACILITIES", "服务设施", "service facilities"),
                ("SERVICE_CATEGORIES", "服务类别", "service categories"),
                ("SERVICE_PROCESS", "服务流程", "service processes"),
                ("SERVICE_QUALITY", "服务质量", "service quality"),
                ("SERVICE_QUALITY_ASSESSMENT", "服务质量评价", "service quality assessment"),
                ("SERVICE_MANAGEMENT", "服务管理要求", "service management requirements"),
            ),
            characteristics=_NINE_CHARACTERISTICS,
            elements_source=SEED_000,
        ),
    )
}


def service_standard(code: str) -> ServiceStandard | None:
    return SERVICE_STANDARDS.get(code)


def stars_from_score(standard: ServiceStandard, total: float) -> int | None:
    """The stars the scheme's bands give a total; None below the lowest band."""
    for band in standard.bands:
        if total >= band.min_score:
            return band.stars
    return None


def weighted_total(scores: Sequence[float], weights: Sequence[float]) -> float:
    """The assessment's total: its element scores weighted, to two decimals."""
    return round(sum(s * w for s, w in zip(scores, weights, strict=True)), 2)


def scheme_problems(
    standard: ServiceStandard, elements: Sequence[str], cpsq: float
) -> list[tuple[str, str, str]]:
    """Why an assessment does not fit its scheme, as (field, code, message): it must have
    exactly the scheme's elements, and its CPSQ must have reached the scheme's target (seed
    004: without it there is no stage-2 audit)."""
    problems: list[tuple[str, str, str]] = []
    wanted = [e.value for e in standard.elements]
    for index, element in enumerate(elements):
        if element not in wanted:
            problems.append(
                (
                    f"elements[{index}].element",
                    "ELEMENT_NOT_IN_SCHEME",
                    f"{standard.code} does not assess {element}",
                )
            )
    missing = [e for e in wanted if e not in elements]
    if missing:
        problems.append(
            ("elements", "MISSING_ELEMENT", f"{standard.code} also assesses {', '.join(missing)}")
        )
    if cpsq < standard.cpsq_threshold:
        problems.append(
            (
                "cpsq",
                "CPSQ_BELOW_THRESHOLD",
                f"a CPSQ of {cpsq:g} is below {standard.code}'s target of "
                f"{standard.cpsq_threshold:g}: no stage-2 audit, no certificate",
            )
        )
    return problems


def stars_disagreement(standard: ServiceStandard, total: float, stars: int | None) -> str | None:
    """Why a certificate's stars are not those its assessment earns under its scheme."""
    earned = stars_from_score(standard, total)
    if earned == stars:
        return None
    shown = "no stars" if stars is None else f"{stars} star(s)"
    owed = "no stars" if earned is None else f"{earned} star(s)"
    return (
        f"the certificate carries {shown}, but its assessment's total of {total:g} earns "
        f"{owed} under {standard.code}"
    )


def certificate_disagreement(
    scheme: str, total: float, *, standard: str, stars: int | None
) -> tuple[str, str] | None:
    """Why a certificate (its standard, its stars) contradicts the assessment recorded for it
    (made under ``scheme``, with ``total``), as (code, message); None when they agree."""
    if standard != scheme:
        return (
            "STANDARD_DISAGREES_WITH_ASSESSMENT",
            f"the certificate names {standard}, but its assessment was made under {scheme}",
        )
    found = service_standard(scheme)
    message = None if found is None else stars_disagreement(found, total, stars)
    return None if message is None else ("STARS_DISAGREE_WITH_ASSESSMENT", message)
