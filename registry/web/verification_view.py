"""A verification put into words: the verdict, the public facts, the chain of trust, warnings.

NOT_FOUND keeps the same layout with every fact blank, so the page says nothing more about an
unknown number than the GraphQL answer does.
"""

from __future__ import annotations

from typing import NamedTuple

from registry.domain.verification import ChainOfTrust, Verdict, Verification
from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.domain.warning_texts import WARNING_TEXT
from registry.web.page import bilingual, text

__all__ = ["NOTHING", "result_html", "verdict_words"]

NOTHING = "—"


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
_FAMILIES = {
    CertificateFamily.PRODUCT: ("产品认证", "Product"),
    CertificateFamily.SERVICE: ("服务认证", "Service"),
    CertificateFamily.MANAGEMENT_SYSTEM: ("管理体系认证", "Management system"),
}
_STATUSES = {
    CertificateStatus.VALID: ("有效", "Valid"),
    CertificateStatus.SUSPENDED: ("暂停", "Suspended"),
    CertificateStatus.WITHDRAWN: ("撤销", "Withdrawn"),
    CertificateStatus.CANCELLED: ("注销", "Cancelled"),
    CertificateStatus.EXPIRED: ("过期", "Expired"),
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


def result_html(
    number: str, result: Verification, *, preface: str = "", form: str = "verify"
) -> str:
    """The whole result; ``preface`` (markup) goes between the heading and the verdict;
    ``form``: the relative address of the lookup form from where the page is served."""
    wording = _VERDICTS[result.verdict]
    return (
        f"<h1>{bilingual('核验结果', 'Verification result')}</h1>\n"
        f"{preface}"
        f'<section class="verdict {wording.css}" id="verdict">\n'
        f'<p class="word"><span aria-hidden="true">{wording.sign}</span> '
        f'<span id="verdict-word">{bilingual(wording.zh, wording.en)}</span></p>\n'
        f"<p>{bilingual(wording.meaning_zh, wording.meaning_en)}</p>\n"
        "</section>\n"
        f"{_section('facts', '证书信息', 'Certificate', _facts(number, result))}\n"
        f"{_section('chain', '信任链', 'Chain of trust', _chain(result.chain))}\n"
        f"{_section('warnings', '提示', 'Warnings', _warnings(result))}\n"
        "<footer>\n"
        f"<p>{bilingual('核验日期', 'Checked on')} {text(result.checked_on.isoformat())}</p>\n"
        f'<p><a href="{text(form)}">'
        f"{bilingual('查询其他证书', 'Check another certificate')}</a></p>\n"
        "</footer>"
    )


def _section(section_id: str, chinese: str, english: str, content: str) -> str:
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-title">\n'
        f'<h2 id="{section_id}-title">{bilingual(chinese, english)}</h2>\n{content}\n</section>'
    )


def _rows(rows: list[tuple[str, str, str]]) -> str:
    """Label pairs and values (already markup) as a definition list."""
    items = "".join(f"<dt>{bilingual(zh, en)}</dt>\n<dd>{value}</dd>\n" for zh, en, value in rows)
    return f"<dl>\n{items}</dl>"


def _facts(number: str, result: Verification) -> str:
    facts, status = result.facts, result.status
    if facts is None or status is None:
        blank = [(zh, en, NOTHING) for zh, en in _FACT_LABELS]
        return _rows([("证书编号", "Certificate number", text(number)), *blank])
    c = facts.certificate
    holder = facts.holder.name if facts.holder is not None else c.holder_name
    issuer = facts.issuer.name if facts.issuer is not None else None
    standing = result.standing  # the step in force on the day asked for
    since = standing.since if standing else c.status_since
    reason = standing.reason if standing else c.status_reason
    status_html = bilingual(*_STATUSES[status])
    if since is not None:
        status_html += f" · {bilingual('自', 'since')} {text(since.isoformat())}"
    values = [
        bilingual(*_FAMILIES[CertificateFamily(c.family)]),
        text(c.standard),
        text(c.scope),
        _stars(c.stars),
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
    return _rows(rows)


def _stars(stars: int | None) -> str:
    if not stars:
        return NOTHING
    return (
        f'<span class="stars" aria-hidden="true">{"★" * stars}</span> '
        f"{bilingual(f'{stars}星', f'{stars}-star')}"
    )


def _yes_no(value: bool) -> str:
    return bilingual("是", "yes") if value else bilingual("否", "no")


def _chain(chain: ChainOfTrust | None) -> str:
    if chain is None:
        return _rows([(zh, en, NOTHING) for zh, en in _CHAIN_LABELS])
    accreditation = chain.accreditation
    body = (accreditation.body_name or accreditation.body) if accreditation else NOTHING
    values = [
        _yes_no(chain.accredited_on_issue_date),
        text(body),
        text(accreditation.number if accreditation else NOTHING),
        _yes_no(chain.scope_covers_certificate),
        _yes_no(chain.issuer_suspended_now),
    ]
    return _rows([(zh, en, value) for (zh, en), value in zip(_CHAIN_LABELS, values, strict=True)])


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
