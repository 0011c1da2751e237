"""GET /verify: the public's authenticity check as a plain HTML page, no JavaScript needed.

The page asks the same question as `verifyCertificate` and `verifyToken`, through the same
operations, so they never disagree; it only puts the answers into Chinese and English words.
What it shows beside the verdict (the issuer's standing, how a service certificate's stars
were earned) it reads through the public GraphQL fields (``verify_reads``).
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.domain.identifiers import normalise_identifier
from registry.http.runtime import client_address
from registry.operations.verification import MAX_HOLDER_NAME, verify_certificate
from registry.trust.qr import token_from_scan
from registry.trust.signing_keys import keyring_for
from registry.trust.tokens import (
    InvalidToken,
    TokenProblem,
    claims_for,
    differing_claims,
    read_token,
)
from registry.web.page import bilingual, html_page, text
from registry.web.page_reads import public_reader
from registry.web.verification_view import result_html, verdict_words
from registry.web.verify_reads import verify_extras

if TYPE_CHECKING:
    from registry.http.runtime import Runtime

__all__ = ["MAX_NUMBER", "routes"]

MAX_NUMBER = 64
_TITLE = "证书查询 Certificate verification"
_FORM_FROM_LINK = "../verify"  # from /v/TOKEN (one segment: the token's "/" is %2F)
_INTRO = (
    "输入证书上的编号，核验证书的真伪、今日是否有效以及发证机构的资质。",
    "Enter the number printed on a certificate to check that it is genuine, "
    "that it is valid today and that its issuer was accredited to issue it.",
)
_TOO_LONG = (
    f"证书编号最多{MAX_NUMBER}个字符，获证组织名称最多{MAX_HOLDER_NAME}个字符，请检查后重试。",
    f"A certificate number has at most {MAX_NUMBER} characters and a holder name "
    f"at most {MAX_HOLDER_NAME}. Please check what you entered.",
)
_NO_NUMBER = ("请输入证书编号。", "Please enter a certificate number.")
_BAD_DATE = (
    "查询日期格式应为 YYYY-MM-DD，例如 2026-07-01。",
    "The date to check on must look like YYYY-MM-DD, for example 2026-07-01.",
)
_TOO_MANY = (
    "查询过于频繁，请稍后再试。",
    "Too many lookups from your connection; please try again in a minute.",
)
_TYPE_INSTEAD = (
    "请改为输入证书上印的编号进行查询。",
    "Please enter the number printed on the certificate instead.",
)
_NOT_OURS = (
    "这不是本登记库签发的二维码，或二维码未被完整读取。",
    "This is not a QR code issued by the registry, or it was not read completely.",
)
_REFUSALS = {
    TokenProblem.UNKNOWN_KEY: (
        "二维码的签名密钥不在本登记库公布的密钥之中，不是本登记库签发的。",
        "The QR code was signed with a key the registry has not published: "
        "the registry did not issue it.",
    ),
    TokenProblem.BAD_SIGNATURE: (
        "二维码的内容被改动过，或不是本登记库签发的。",
        "The QR code's contents have been altered, or the registry did not issue it.",
    ),
}
# The claims a token can state differently from today's record, in the order they are checked.
_CLAIMS = {
    "number": ("证书编号", "certificate number"),
    "holder_uscc": ("获证组织统一社会信用代码", "holder's credit code"),
    "holder_name": ("获证组织名称", "holder name"),
    "issuer_uscc": ("发证机构", "issuer"),
    "standard": ("认证依据", "standard"),
    "scope_digest": ("认证范围", "scope"),
    "issued_on": ("发证日期", "issue date"),
    "expires_on": ("有效期", "expiry date"),
    "stars": ("星级", "star grade"),
}


def routes() -> list[Route]:
    return [
        Route("/verify", verify_page, methods=["GET"], name="verify"),
        # The link a QR code holds (registry.trust.qr.verify_link): the same verdict page.
        Route("/v/{token:path}", verify_link_page, methods=["GET"], name="verify-link"),
    ]


async def verify_page(request: Request) -> Response:
    """The form, a result for ``number`` (and ``holder``), or a scanned QR code (``t``)."""
    params = request.query_params
    runtime: Runtime = request.app.state.runtime
    if "t" in params or "number" in params:
        refusal = _over_allowance(request, runtime)
        if refusal is not None:
            return refusal
    if "t" in params:
        return await _scanned(request, token_from_scan(params["t"]))
    if "number" not in params and "holder" not in params:
        return html_page(_TITLE, _form_page())
    number = normalise_identifier(params.get("number", ""))
    holder = params.get("holder", "").strip() or None
    if len(number) > MAX_NUMBER or (holder is not None and len(holder) > MAX_HOLDER_NAME):
        return html_page(_TITLE, _form_page(notice=_TOO_LONG), status_code=400)
    if not number:
        return html_page(_TITLE, _form_page(notice=_NO_NUMBER, holder=holder), status_code=400)
    try:
        as_of = date.fromisoformat(params["asOf"]) if params.get("asOf") else None
    except ValueError:
        return html_page(_TITLE, _form_page(notice=_BAD_DATE, holder=holder), status_code=400)
    today = runtime.today()
    result = await verify_certificate(
        runtime.open_store, number, holder_name=holder, today=today, as_of=as_of
    )
    now = None  # today's answer beside another day's
    if as_of is not None and as_of != today:
        now = await verify_certificate(runtime.open_store, number, holder_name=holder, today=today)
    preface = "" if as_of is None else _as_of_notice(as_of)
    extras = await verify_extras(public_reader(request), result, as_of=as_of)
    return html_page(
        f"{verdict_words(result.verdict)} · {number}",
        result_html(
            number,
            result,
            preface=preface,
            issuer=extras.issuer,
            stars_explained=extras.stars_explained,
            now=now,
        ),
    )


async def verify_link_page(request: Request) -> Response:
    """``/v/TOKEN``, where a phone camera lands: the verdict for the token, as ``/verify?t=``
    gives it, except that a token the registry did not sign is a 400."""
    runtime: Runtime = request.app.state.runtime
    refusal = _over_allowance(request, runtime, form_action=_FORM_FROM_LINK)
    if refusal is not None:
        return refusal
    return await _scanned(
        request, request.path_params["token"], refused_status=400, form_action=_FORM_FROM_LINK
    )


def _over_allowance(
    request: Request, runtime: Runtime, *, form_action: str | None = None
) -> Response | None:
    """A lookup spends the client's public allowance, whichever surface it came through."""
    wait = runtime.public_lookups.acquire(f"ip:{client_address(request) or 'unknown'}")
    if not wait:
        return None
    page = html_page(_TITLE, _form_page(notice=_TOO_MANY, action=form_action), status_code=429)
    page.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return page


def _as_of_notice(day: date) -> str:
    """Says that the answer is the record as it stood on ``day``, not today's."""
    words = bilingual(
        f"以下为证书在 {day.isoformat()} 当日的状态（按现有记录）。",
        f"The answer below is the certificate as it stood on {day.isoformat()}, "
        "as the registry knows it now.",
    )
    return f'<p class="notice" id="as-of">{words}</p>\n'


async def _scanned(
    request: Request, token: str, *, refused_status: int = 200, form_action: str | None = None
) -> Response:
    """Check the signature first, as anyone could offline; then the certificate as it is now."""
    runtime: Runtime = request.app.state.runtime
    keyring = await keyring_for(runtime.settings.resolved_signing_keys_dir)
    try:
        claims = read_token(token, keyring.public_keys())
    except InvalidToken as problem:
        body = _refused(problem.reason, form_action=form_action)
        return html_page(_TITLE, body, status_code=refused_status)
    result = await verify_certificate(
        runtime.open_store, claims.number, holder_name=None, today=runtime.today()
    )
    facts = result.facts
    stored = claims_for(facts.certificate, facts.holder, key_id=claims.key_id) if facts else None
    differing = differing_claims(claims, stored) if stored is not None else ()
    preface = _signature_box(claims.key_id, differing)
    extras = await verify_extras(public_reader(request), result)
    return html_page(
        f"{verdict_words(result.verdict)} · {claims.number}",
        result_html(
            claims.number,
            result,
            preface=preface,
            issuer=extras.issuer,
            stars_explained=extras.stars_explained,
            form=form_action or "verify",
        ),
    )


def _signature_box(key_id: str, differing: tuple[str, ...]) -> str:
    lines = [
        bilingual(
            f"二维码由本登记库签发（密钥 {key_id}）。",
            f"The registry issued this QR code (key {key_id}).",
        )
    ]
    if differing:
        zh = "、".join(_CLAIMS[name][0] for name in differing)
        en = ", ".join(_CLAIMS[name][1] for name in differing)
        lines.append(
            bilingual(
                f"但二维码所载信息与登记记录不一致：{zh}。请以下方登记记录为准。",
                f"But these details differ from the registry's record: {en}. "
                "Trust the record below.",
            )
        )
    css = "mismatch" if differing else "valid"
    return _signature_section(css, "✓", ("签名有效", "SIGNATURE VALID"), lines)


def _refused(reason: TokenProblem, *, form_action: str | None = None) -> str:
    explanation = bilingual(*_REFUSALS.get(reason, _NOT_OURS))
    box = _signature_section("not-valid", "✗", ("签名无效", "SIGNATURE NOT VALID"), [explanation])
    return (
        f"<h1>{bilingual('核验结果', 'Verification result')}</h1>\n{box}"
        f"{_notice(_TYPE_INSTEAD)}{_form(described=True, action=form_action)}"
    )


def _signature_section(css: str, sign: str, words: tuple[str, str], lines: list[str]) -> str:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in lines)
    return (
        f'<section class="signature {css}" id="signature">\n'
        f'<p><strong><span aria-hidden="true">{sign}</span> '
        f'<span id="signature-word">{bilingual(*words)}</span></strong></p>\n{paragraphs}'
        "</section>\n"
    )


def _notice(words: tuple[str, str]) -> str:
    return f'<p class="notice" id="notice" role="alert">{bilingual(*words)}</p>\n'


def _form_page(
    *,
    notice: tuple[str, str] | None = None,
    holder: str | None = None,
    action: str | None = None,
) -> str:
    return (
        f"<h1>{bilingual('证书查询', 'Certificate verification')}</h1>\n"
        f"<p>{bilingual(*_INTRO)}</p>\n"
        f"{_notice(notice) if notice else ''}"
        f"{_form(holder=holder, described=notice is not None, action=action)}"
    )


def _form(*, holder: str | None = None, described: bool = False, action: str | None = None) -> str:
    """Submits to the page itself (no action) or, from a QR link, to ``../verify``: relative
    either way, so it works wherever the pages are mounted."""
    aria = ' aria-describedby="notice"' if described else ""
    target = f' action="{text(action)}"' if action else ""
    return (
        f'<form method="get" accept-charset="utf-8"{target}>\n'
        f'<label for="number">{bilingual("证书编号", "Certificate number")}</label>\n'
        f'<input id="number" name="number" type="text" required maxlength="{MAX_NUMBER}" '
        f'autocomplete="off" autocapitalize="characters" spellcheck="false"{aria}>\n'
        f'<label for="holder">{bilingual("获证组织名称（可选）", "Holder name (optional)")}'
        "</label>\n"
        f'<input id="holder" name="holder" type="text" maxlength="{MAX_HOLDER_NAME}" '
        f'autocomplete="organization" value="{text(holder or "")}"{aria}>\n'
        f'<button type="submit">{bilingual("查询", "Verify")}</button>\n'
        "</form>"
    )
