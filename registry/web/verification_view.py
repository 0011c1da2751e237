"""A verification put into words: the verdict, the public facts, the chain of trust, warnings.

NOT_FOUND keeps the same layout with every fact blank, so the page says nothing more about an
unknown number than the GraphQL answer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from registry.domain.certificates import status_timeline
from registry.domain.timeline import ordered
from registry.domain.verification import ChainOfTrust, Verdict, Verification
from registry.domain.vocabulary import CertificateFamily
from registry.domain.warning_texts import WARNING_TEXT
from registry.web.issuer_view import (
    ComplaintSummary,
    CreditStanding,
    complaint_summary_html,
    credit_standing_html,
)
from registry.web.page import bilingual, definitions, section, text
from registry.web.stars_view import star_grade_html, stars_explained_html
from registry.web.words import CERTIFICATE_STATUSES, FAMILIES, word

__all__ = ["NOTHING", "IssuerStanding", "result_html", "verdict_words"]

NOTHING = "—"


@dataclass(frozen=True, slots=True)
class IssuerStanding:
    """What the public may know of the issuer beside the verdict: its credit grade and,
    where a summary is available, its complaints."""

    uscc: str
    name: str | None
    credit: CreditStanding
    complaints: ComplaintSummary | None = None


class _Wording(NamedTuple):
    css: str
    sign: str
    zh: str
    en: str
    meaning_zh: str
    meaning_en: str


_VERDICTS = {
    Verdict.VALID: _Wording(
        "valid",
        "✓",
        "有效",
        "VALID",
        "证书真实，今日有效。",
        "The certificate is genuine and valid today.",
    ),
    Verdict.NOT_VALID: _Wording(
        "not-valid",
        "✗",
        "无效",
        "NOT VALID",
        "证书存在，但已暂停、撤销、注销或过期，今日无效。",
        "The certificate exists but is suspended, withdrawn, cancelled or expired.",
    ),
    Verdict.NOT_FOUND: _Wording(
        "not-found",
        "?",
        "未找到",
        "NOT FOUND",
        "登记库中没有此编号的证书，请核对编号。",
        "No certificate with this number is registered. Please check the number.",
    ),
    Verdict.HOLDER_MISMATCH: _Wording(
        "mismatch",
        "!",
        "持证人不符",
        "HOLDER MISMATCH",
        "证书存在，但获证组织名称与您输入的名称不一致。",
        "The certificate exists, but it was issued to another holder than the one you entered.",
    ),
}
_FACT_LABELS = [
    ("认证类别", "Family"),
    ("认证依据", "Standard"),
    ("认证范围", "Scope"),
    ("星级", "Star grade"),
    ("获证组织", "Holder"),
    ("发证机构", "Issuer"),
    ("发证日期", "Issued on"),
    ("有效期至", "Expires on"),
    ("证书状态", "Status"),
]
_CHAIN_LABELS = [
    ("发证之日已获认可", "Accredited on the issue date"),
    ("认可机构", "Accredited by"),
    ("认可证书编号", "Accreditation number"),
    ("认可范围覆盖本证书", "Accredited scope covers this certificate"),
    ("发证机构目前被暂停", "Issuer suspended now"),
]


def verdict_words(verdict: Verdict) -> str:
    """The verdict in Chinese and English, as plain text (for a page title)."""
    wording = _VERDICTS[verdict]
    return f"{wording.zh} {wording.en}"


# The verdicts that speak of a day, for an answer about another day than today.
_ON_A_DAY = {
    Verdict.VALID: ("证书真实，在 {day} 有效。", "The certificate is genuine and valid on {day}."),
    Verdict.NOT_VALID: (
        "证书存在，但在 {day} 已暂停、撤销、注销或过期，当日无效。",
        "The certificate exists but was suspended, withdrawn, cancelled or expired on {day}.",
    ),
}


def _meaning(result: Verification, now: Verification | None) -> str:
    """What the verdict means, of today; of the day asked for when ``now`` (today's
    answer) is given, with today's verdict after it, so that a link to an old day never
    reads as valid today."""
    wording = _VERDICTS[result.verdict]
    if now is None or result.verdict not in _ON_A_DAY:
        return f"<p>{bilingual(wording.meaning_zh, wording.meaning_en)}</p>\n"
    day = result.checked_on.isoformat()
    zh, en = (part.format(day=day) for part in _ON_A_DAY[result.verdict])
    today = _VERDICTS[now.verdict]
    return (
        f"<p>{bilingual(zh, en)}</p>\n"
        f'<p id="verdict-today">{bilingual("今日", "Today")}: '
        f'<span aria-hidden="true">{today.sign}</span> {bilingual(today.zh, today.en)}</p>\n'
    )


def result_html(
    number: str,
    result: Verification,
    *,
    preface: str = "",
    issuer: IssuerStanding | None = None,
    stars_explained: dict[str, Any] | None = None,
    form: str = "verify",
    now: Verification | None = None,
) -> str:
    """The whole result; ``preface`` (markup) goes between the heading and the verdict;
    ``issuer`` adds the issuer's public standing (only for a certificate that exists);
    ``stars_explained``: ``starsExplained`` as the API answered it (a service certificate
    with a recorded assessment); ``form``: the relative address of the lookup form from
    where the page is served; ``now``: today's answer, when ``result`` is another day's."""
    wording = _VERDICTS[result.verdict]
    today = result.checked_on if now is None else now.checked_on
    stars = (
        ""
        if stars_explained is None
        else section(
            "stars-explained",
            "星级评定依据",
            "How the stars were earned",
            stars_explained_html(stars_explained),
        )
        + "\n"
    )
    standing = (
        ""
        if issuer is None
        else (section("issuer", "发证机构信用与投诉", "Issuer's standing", _issuer(issuer)) + "\n")
    )
    return (
        f"<h1>{bilingual('核验结果', 'Verification result')}</h1>\n"
        f"{preface}"
        f'<section class="verdict {wording.css}" id="verdict">\n'
        f'<p class="word"><span aria-hidden="true">{wording.sign}</span> '
        f'<span id="verdict-word">{bilingual(wording.zh, wording.en)}</span></p>\n'
        f"{_meaning(result, now)}"
        "</section>\n"
        f"{section('facts', '证书信息', 'Certificate', _facts(number, result))}\n"
        f"{stars}"
        f"{section('timeline', '状态变更记录', 'Status timeline', _timeline(result, today))}\n"
        f"{section('chain', '信任链', 'Chain of trust', _chain(result.chain))}\n"
        f"{standing}"
        f"{section('warnings', '提示', 'Warnings', _warnings(result))}\n"
        "<footer>\n"
        f"<p>{bilingual('核验日期', 'Checked on')} {text(result.checked_on.isoformat())}</p>\n"
        f'<p><a href="{text(form)}">'
        f"{bilingual('查询其他证书', 'Check another certificate')}</a></p>\n"
        "</footer>"
    )


def _facts(number: str, result: Verification) -> str:
    facts, status = result.facts, result.status
    if facts is None or status is None:
        blank = [(zh, en, NOTHING) for zh, en in _FACT_LABELS]
        return definitions([("证书编号", "Certificate number", text(number)), *blank])
    c = facts.certificate
    holder = facts.holder.name if facts.holder is not None else c.holder_name
    issuer = facts.issuer.name if facts.issuer is not None else None
    standing = result.standing  # the step in force on the day asked for
    since = standing.since if standing else c.status_since
    reason = standing.reason if standing else c.status_reason
    status_html = word(CERTIFICATE_STATUSES, status)
    if since is not None:
        status_html += f" · {bilingual('自', 'since')} {text(since.isoformat())}"
    values = [
        word(FAMILIES, CertificateFamily(c.family)),
        text(c.standard),
        text(c.scope),
        star_grade_html(c.stars),
        text(holder or NOTHING),
        f"{text(issuer or NOTHING)} <code>{text(c.issuer)}</code>",
        text(c.issued_on.isoformat()),
        text(c.expires_on.isoformat()),
        status_html,
    ]
    rows = [("证书编号", "Certificate number", text(c.number))]
    rows += [(zh, en, value) for (zh, en), value in zip(_FACT_LABELS, values, strict=True)]
    if reason:
        rows.append(("原因", "Reason", text(reason)))
    return definitions(rows)


def _yes_no(value: bool) -> str:
    return bilingual("是", "yes") if value else bilingual("否", "no")


def _chain(chain: ChainOfTrust | None) -> str:
    if chain is None:
        return definitions([(zh, en, NOTHING) for zh, en in _CHAIN_LABELS])
    accreditation = chain.accreditation
    body = (accreditation.body_name or accreditation.body) if accreditation else NOTHING
    values = [
        _yes_no(chain.accredited_on_issue_date),
        text(body),
        text(accreditation.number if accreditation else NOTHING),
        _yes_no(chain.scope_covers_certificate),
        _yes_no(chain.issuer_suspended_now),
    ]
    return definitions(
        [(zh, en, value) for (zh, en), value in zip(_CHAIN_LABELS, values, strict=True)]
    )


def _warnings(result: Verification) -> str:
    if not result.warnings:
        return f"<p>{bilingual('无', 'None')}</p>"
    items = []
    for code in result.warnings:
        english, chinese = WARNING_TEXT[code]
        items.append(
            f'<li>{text(chinese)}<br><span class="en" lang="en">{text(english)}</span> '
            f"<code>{text(code.value)}</code></li>"
        )
    return '<ul class="warnings">\n' + "\n".join(items) + "\n</ul>"


def _timeline(result: Verification, today: date) -> str:
    """Every status step by effective date (then recording order); a step dated after today
    is marked as scheduled, one after the day asked for but in force today as later than it.
    Who recorded it is not public."""
    if result.facts is None:
        return f"<p>{NOTHING}</p>"
    rows = []
    for step in ordered(status_timeline(result.facts.certificate)):
        mark = ""
        if step.effective_on > today:
            mark = f" · {bilingual('计划生效', 'scheduled')}"
        elif step.effective_on > result.checked_on:
            mark = f" · {bilingual('所查日期之后', 'after the day asked for')}"
        reason = f" · {text(step.reason)}" if step.reason else ""
        rows.append(
            f'<li><time datetime="{step.effective_on.isoformat()}">'
            f"{step.effective_on.isoformat()}</time> "
            f"{word(CERTIFICATE_STATUSES, step.status)}{reason}{mark}</li>"
        )
    return '<ol class="timeline">\n' + "\n".join(rows) + "\n</ol>"


def _issuer(issuer: IssuerStanding) -> str:
    link = (
        f'<p><a href="/institutions/{text(issuer.uscc)}">{text(issuer.name or issuer.uscc)}</a> '
        f"<code>{text(issuer.uscc)}</code></p>\n"
    )
    return link + credit_standing_html(issuer.credit) + complaint_summary_html(issuer.complaints)
