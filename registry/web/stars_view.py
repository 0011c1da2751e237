"""How a service certificate's stars were earned, in words and a table: the answer of
``PublicCertificate.starsExplained`` (issue 16) as the verify page shows it.

It takes the GraphQL answer as it came (a dict), so the page shows exactly what the API
shows the public.
"""

from __future__ import annotations

from typing import Any

from registry.web.page import bilingual, definitions, table, text
from registry.web.words import ASSESSMENT_ELEMENTS, word

__all__ = ["STARS_EXPLAINED_FIELDS", "star_grade_html", "stars_explained_html"]

NOTHING = "—"
STARS_EXPLAINED_FIELDS = """starsExplained {
  stars starsFromScore agrees scheme schemeTitleZh schemeTitleEn total cpsq cpsqTarget
  starBands { stars minScore } starBandsAssumed message messageZh
  elements { element score weight weightedScore assessedOn }
}"""


def star_grade_html(stars: int | None) -> str:
    """A star grade drawn (hidden from screen readers) and said in both languages."""
    if not stars:
        return NOTHING
    return (
        f'<span class="stars" aria-hidden="true">{"★" * stars}</span> '
        f"{bilingual(f'{stars}星', f'{stars}-star')}"
    )


def _number(value: Any) -> str:
    return NOTHING if value is None else f"{float(value):g}"


def stars_explained_html(explained: dict[str, Any]) -> str:
    """The sentence (Chinese, then English), whether the certificate carries the stars it
    earned, the scheme's bands and CPSQ, and each assessed element with its weight."""
    agrees = bool(explained["agrees"])
    verdict = (
        bilingual("证书所载星级与评定结果一致。", "The certificate carries the stars it earned.")
        if agrees
        else bilingual(
            "注意：证书所载星级与评定结果不一致。",
            "Note: the certificate's stars differ from those its assessment earns.",
        )
    )
    marked = "" if agrees else ' class="notice"'
    sentence = (
        f'<p id="stars-sentence">{text(explained["messageZh"])}<br>'
        f'<span class="en" lang="en">{text(explained["message"])}</span></p>\n'
        f'<p{marked} id="stars-agree">{verdict}</p>'
    )
    bands = "；".join(
        f"{b['stars']}★ ≥ {_number(b['minScore'])}" for b in explained["starBands"] or []
    )
    if explained["starBandsAssumed"]:
        bands += " " + bilingual("（登记库假定的分档）", "(bands the registry assumes)")
    scheme = text(explained["scheme"])
    titles = [t for t in (explained.get("schemeTitleZh"), explained.get("schemeTitleEn")) if t]
    if titles:
        scheme += " · " + text(" / ".join(titles))
    cpsq = _number(explained["cpsq"])
    if explained.get("cpsqTarget") is not None:
        cpsq += f" ({bilingual('目标', 'target')} {_number(explained['cpsqTarget'])})"
    facts = definitions(
        [
            ("认证方案", "Scheme", scheme),
            ("加权总分", "Weighted total", _number(explained["total"])),
            ("星级分档", "Star bands", bands or NOTHING),
            ("顾客感知服务质量指数", "CPSQ", cpsq),
        ]
    )
    rows = [
        [
            word(ASSESSMENT_ELEMENTS, e["element"]),
            _number(e["score"]),
            _number(e["weight"]),
            _number(e["weightedScore"]),
            text(e["assessedOn"]),
        ]
        for e in explained["elements"]
    ]
    heads = [
        ("评定要素", "Element"),
        ("得分", "Score"),
        ("权重", "Weight"),
        ("加权得分", "Weighted"),
        ("评定日期", "Assessed on"),
    ]
    elements = table(
        heads,
        rows,
        table_id="stars-elements",
        label=("星级评定要素", "Assessed elements"),
        numeric=frozenset({1, 2, 3}),
    )
    return f"{sentence}\n{facts}\n{elements}"
