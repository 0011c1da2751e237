"""An institution's public standing in a few lines: its credit grade and its complaint
summary. The verification page shows it for the issuer; the institution page for itself.

Each part takes a small plain object, filled from the public GraphQL answer
(``Institution.credit``, ``Institution.complaintSummary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.web.page import bilingual, text

__all__ = [
    "NOTHING",
    "ComplaintSummary",
    "CreditStanding",
    "complaint_summary_html",
    "complaint_summary_of",
    "credit_standing_html",
]

NOTHING = "—"

_GRADE_MEANINGS = {
    "A": ("信用良好", "good credit"),
    "B": ("信用较好", "fair credit"),
    "C": ("信用一般", "weak credit"),
    "D": ("信用较差", "poor credit"),
}


@dataclass(frozen=True, slots=True)
class CreditStanding:
    """The registry's own credit assessment: None for grade and score when unrated;
    ``supervised`` False for bodies that have none (regulators, associations, groups)."""

    supervised: bool
    grade: str | None = None
    score: float | None = None
    computed_on: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """Counts of complaints against an institution: a public summary, never their details."""

    received: int
    open: int
    overdue: int
    substantiated: int


def credit_standing_html(standing: CreditStanding) -> str:
    """The grade, large, with its meaning and score; or why there is none."""
    if not standing.supervised:
        return (
            "<p>"
            + bilingual(
                "不属于分类监管对象，无信用评分。",
                "Not under classified supervision: no credit score.",
            )
            + "</p>"
        )
    if standing.grade is None:
        return (
            '<p id="credit-grade">'
            + bilingual("未评级（信用证据不足）", "Unrated (too little evidence)")
            + "</p>"
        )
    zh, en = _GRADE_MEANINGS.get(standing.grade, (standing.grade, standing.grade))
    score = NOTHING if standing.score is None else f"{standing.score:.1f}"
    dated = (
        ""
        if standing.computed_on is None
        else f" · {bilingual('评定日期', 'computed on')} {text(standing.computed_on)}"
    )
    return (
        '<p class="grade-line">'
        f'<span class="grade" id="credit-grade">{text(standing.grade)}</span> '
        f"{bilingual(zh, en)} · {bilingual('信用分', 'score')} {text(score)}/100{dated}</p>"
    )


_COUNT_LABELS = (
    ("received", "收到投诉", "Received"),
    ("open", "处理中", "Open"),
    ("overdue", "逾期未处理", "Overdue"),
    ("substantiated", "经查实", "Substantiated"),
)


def complaint_summary_html(summary: ComplaintSummary | None) -> str:
    """The four counts as a definition list; empty when no summary is available."""
    if summary is None:
        return ""
    rows = "".join(
        f"<dt>{bilingual(zh, en)}</dt>\n<dd>{getattr(summary, name)}</dd>\n"
        for name, zh, en in _COUNT_LABELS
    )
    return f'<dl id="complaint-summary">\n{rows}</dl>'


def complaint_summary_of(found: dict[str, Any]) -> ComplaintSummary | None:
    """The counts of ``Institution.complaintSummary`` as a GraphQL answer holds them; None
    when the answer lacks them (the section is then left out)."""
    summary = found.get("complaintSummary")
    if not isinstance(summary, dict):
        return None
    return ComplaintSummary(
        received=int(summary["received"]),
        open=int(summary["open"]),
        overdue=int(summary["overdue"]),
        substantiated=int(summary["substantiated"]),
    )
