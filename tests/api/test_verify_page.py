"""GET /verify: the verification page people use, over the seeded app."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from registry.domain.verification import VerificationWarning
from registry.domain.warning_texts import WARNING_TEXT
from registry.http.trust_routes import certificate_token
from registry.trust.qr import verify_link
from registry.trust.signing_keys import open_keyring
from registry.trust.tokens import read_token, sign_token
from tests.api.conftest import GraphQLClient

DALIAN_PRODUCT_INSTITUTE_CERTIFICATE = "CCSC23SC0102R2"
DALIAN_PRODUCT_INSTITUTE = "大连产品质量检验检测研究院"


@pytest.fixture(autouse=True)
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's app keeps its signing keys in a directory of the test's own."""
    directory = tmp_path / "signing-keys"
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS_DIR", str(directory))
    return directory


class _Page(HTMLParser):
    """The text inside the element with a given id, and every label's ``for``."""

    def __init__(self, wanted_id: str) -> None:
        super().__init__()
        self.wanted_id = wanted_id
        self.depth = 0
        self.parts: list[str] = []
        self.label_targets: list[str] = []
        self.input_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_targets.append(attributes["for"] or "")
        if tag == "input":
            self.input_ids.append(attributes.get("id") or "")
        if self.depth:
            self.depth += tag not in {"br", "input", "meta"}
        elif attributes.get("id") == self.wanted_id:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def _parse(html: str, wanted_id: str = "verdict-word") -> _Page:
    page = _Page(wanted_id)
    page.feed(html)
    return page


async def _get(reader: GraphQLClient, **params: str) -> httpx.Response:
    return await reader.http.get("/verify", params=params)


async def test_the_form_labels_every_input_in_chinese_and_english(reader: GraphQLClient) -> None:
    response = await _get(reader)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert '<meta name="viewport"' in html
    for words in (
        "证书编号",
        "Certificate number",
        "获证组织名称（可选）",
        "Holder name (optional)",
    ):
        assert words in html
    assert re.search(r"<button[^>]*>查询 .*Verify.*</button>", html)
    page = _parse(html)
    assert sorted(page.label_targets) == sorted(page.input_ids) == ["holder", "number"]
    assert "<script" not in html


async def test_a_valid_certificate_with_its_holder_reads_valid(reader: GraphQLClient) -> None:
    response = await _get(
        reader, number=DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, holder=DALIAN_PRODUCT_INSTITUTE
    )
    assert response.status_code == 200
    assert _parse(response.text).text == "有效 VALID"
    html = response.text
    for fact in (
        DALIAN_PRODUCT_INSTITUTE_CERTIFICATE,
        DALIAN_PRODUCT_INSTITUTE,
        "CCSC-SC-JYJC-2017",
        "中国船级社质量认证有限公司",
        "中国合格评定国家认可委员会",
        "2023-12-15",
        "2026-12-14",
        "★★★★★",
    ):
        assert fact in html
    assert 'class="verdict valid"' in html
    assert '<a href="verify">' in html


async def test_the_chain_of_trust_and_warnings_are_spelled_out(reader: GraphQLClient) -> None:
    html = (await _get(reader, number=DALIAN_PRODUCT_INSTITUTE_CERTIFICATE)).text
    chain = _parse(html, "chain").text
    assert "发证之日已获认可 Accredited on the issue date 是 yes" in chain
    assert "发证机构目前被暂停 Issuer suspended now 否 no" in chain
    english, chinese = WARNING_TEXT[VerificationWarning.EXPIRES_SOON]  # expires on 2026-12-14
    assert english in html
    assert chinese in html


async def test_another_holder_name_reads_holder_mismatch(reader: GraphQLClient) -> None:
    response = await _get(
        reader, number=DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, holder="大连某某有限公司"
    )
    assert _parse(response.text).text == "持证人不符 HOLDER MISMATCH"
    assert 'class="verdict mismatch"' in response.text


@pytest.mark.parametrize(
    ("number", "status"),
    [("001OP2600391", "暂停 Suspended"), ("CCSC17SC0100", "过期 Expired")],
)
async def test_a_suspended_or_expired_certificate_reads_not_valid(
    reader: GraphQLClient, number: str, status: str
) -> None:
    html = (await _get(reader, number=number)).text
    assert _parse(html).text == "无效 NOT VALID"
    assert status in _parse(html, "facts").text


async def test_an_unknown_number_reads_not_found_and_reveals_nothing(
    reader: GraphQLClient,
) -> None:
    html = (await _get(reader, number="CCSC99SC9999")).text
    assert _parse(html).text == "未找到 NOT FOUND"
    facts = _parse(html, "facts").text
    assert "CCSC99SC9999" in facts
    assert set(re.findall(r"<dd>(.*?)</dd>", html)) == {"CCSC99SC9999", "—"}
    assert "无 None" in _parse(html, "warnings").text


async def test_a_hostile_number_is_shown_as_text(reader: GraphQLClient) -> None:
    hostile = '<script>alert("x")</script>'
    html = (await _get(reader, number=hostile, holder="<b onmouseover=x>")).text
    assert "<script" not in html.lower()
    assert "<b " not in html
    # shown as it was looked up: in the identifiers' normal form (upper case), as text
    assert "&lt;SCRIPT&gt;ALERT(&quot;X&quot;)&lt;/SCRIPT&gt;" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"number": "C" * 65}, "certificate number has at most 64"),
        ({"number": "CCSC23SC0102R2", "holder": "名" * 201}, "holder name at most 200"),
        ({"number": " ", "holder": DALIAN_PRODUCT_INSTITUTE}, "Please enter a certificate number"),
    ],
)
async def test_unusable_input_gets_a_polite_message_and_the_form(
    reader: GraphQLClient, params: dict[str, str], message: str
) -> None:
    response = await _get(reader, **params)
    assert response.status_code == 400
    assert message in _parse(response.text, "notice").text
    assert 'id="number"' in response.text


async def _token(reader: GraphQLClient, keys_dir: Path, *, holder_name: str | None = None) -> str:
    """The token printed in the seeded certificate's QR code, or one naming another holder."""
    keyring = open_keyring(keys_dir)
    token = await certificate_token(reader.store, DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, keyring)
    assert token is not None
    if holder_name is None:
        return token
    claims = read_token(token, keyring.public_keys())
    return sign_token(replace(claims, holder_name=holder_name), keyring.active.private_key)


async def test_a_scanned_qr_code_shows_a_valid_signature_and_the_certificate(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    response = await _get(reader, t=await _token(reader, keys_dir))
    assert response.status_code == 200
    assert _parse(response.text, "signature-word").text == "签名有效 SIGNATURE VALID"
    assert 'class="signature valid"' in response.text
    assert _parse(response.text).text == "有效 VALID"
    assert DALIAN_PRODUCT_INSTITUTE in _parse(response.text, "facts").text


async def test_a_qr_code_stating_other_details_is_signed_but_flagged(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    token = await _token(reader, keys_dir, holder_name="大连某某有限公司")
    html = (await _get(reader, t=token)).text
    signature = _parse(html, "signature").text
    assert "签名有效 SIGNATURE VALID" in signature
    assert "differ from the registry's record: holder name." in signature
    assert 'class="signature mismatch"' in html
    assert DALIAN_PRODUCT_INSTITUTE in _parse(html, "facts").text  # the record, not the token


async def test_an_altered_qr_code_is_refused_and_the_form_offered(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    token = await _token(reader, keys_dir)
    altered = token[:20] + ("0" if token[20] != "0" else "1") + token[21:]
    for scanned in (altered, "QR1:" + "A" * 40, "not a token", ""):
        html = (await _get(reader, t=scanned)).text
        assert _parse(html, "signature-word").text == "签名无效 SIGNATURE NOT VALID", scanned
        assert 'id="verdict"' not in html
        assert 'id="number"' in html


async def test_a_qr_code_signed_by_an_unpublished_key_is_refused(
    reader: GraphQLClient, keys_dir: Path, tmp_path: Path
) -> None:
    elsewhere = open_keyring(tmp_path / "someone-elses-keys")
    token = await certificate_token(reader.store, DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, elsewhere)
    assert token is not None
    open_keyring(keys_dir)
    signature = _parse((await _get(reader, t=token)).text, "signature").text
    assert "签名无效 SIGNATURE NOT VALID" in signature
    assert "signed with a key the registry has not published" in signature


@pytest.mark.parametrize(
    "params",
    [{}, {"number": DALIAN_PRODUCT_INSTITUTE_CERTIFICATE}, {"number": "C" * 65}, {"t": "x"}],
)
async def test_every_page_is_sent_with_strict_headers(
    reader: GraphQLClient, params: dict[str, str]
) -> None:
    response = await _get(reader, **params)
    headers = response.headers
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = dict(
        [*directive.split(" ", 1), ""][:2]
        for directive in (part.strip() for part in headers["content-security-policy"].split(";"))
    )
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    assert policy["form-action"] == "'self'"
    style = re.search(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert policy["style-src"] == f"'sha256-{digest}'"
    assert 'style="' not in response.text  # style attributes would need 'unsafe-hashes'


async def test_only_get_is_allowed(reader: GraphQLClient) -> None:
    response = await reader.http.post("/verify", data={"number": "CCSC23SC0102R2"})
    assert response.status_code == 405


async def test_as_of_shows_the_certificate_as_it_stood_that_day(reader: GraphQLClient) -> None:
    """CCSC25Q10417R1 was suspended from 2026-03-10 until 2026-06-02."""
    then = await _get(reader, number="CCSC25Q10417R1", asOf="2026-04-01")
    assert then.status_code == 200
    assert _parse(then.text).text == "无效 NOT VALID"
    assert "2026-04-01" in _parse(then.text, "as-of").text
    now = await _get(reader, number="CCSC25Q10417R1")
    assert _parse(now.text).text == "有效 VALID"
    assert 'id="as-of"' not in now.text
    wrong = await _get(reader, number="CCSC25Q10417R1", asOf="April 1st")
    assert wrong.status_code == 400


async def test_a_link_to_a_past_day_never_reads_as_valid_today(reader: GraphQLClient) -> None:
    """CQC24FW0588 was valid in mid-2025 and is withdrawn now: the page for 2025-06-01 says
    it was valid on that day, not today, and gives today's verdict beside it."""
    then = await _get(reader, number="CQC24FW0588", asOf="2025-06-01")
    assert _parse(then.text).text == "有效 VALID"
    assert "valid today" not in then.text
    assert "今日有效" not in then.text
    assert "valid on 2025-06-01" in then.text
    assert _parse(then.text, "verdict-today").text == "今日 Today: ✗ 无效 NOT VALID"
    # The suspension of 2025-09-01 and the withdrawal of 2026-03-02 are in force today:
    # later than the day asked for, not scheduled.
    timeline = _parse(then.text, "timeline").text
    assert "scheduled" not in timeline
    assert timeline.count("after the day asked for") == 2
    assert 'id="verdict-today"' not in (await _get(reader, number="CQC24FW0588")).text


async def test_the_issuers_complaints_on_a_past_day_are_those_of_that_day(
    reader: GraphQLClient,
) -> None:
    """The page for HXC-24-Q0571 on 2024-07-01 counted the complaint against 江苏恒信 filed
    in 2026; the API's summary for that day has none."""
    then = await _get(reader, number="HXC-24-Q0571", asOf="2024-07-01")
    now = await _get(reader, number="HXC-24-Q0571")
    counts = "收到投诉 Received {} 处理中 Open {} 逾期未处理 Overdue {} 经查实 Substantiated 0"
    assert _parse(then.text, "complaint-summary").text == counts.format(0, 0, 0)
    assert _parse(now.text, "complaint-summary").text == counts.format(1, 1, 1)


# what the page reads through the public GraphQL fields -----------------------------------

ASSESSED = "CCSC17SC0100"  # a Dalian service certificate with its seeded assessment
CCSC_ISSUER = "91110101940807760M"
EXPLAINED = """query($n: String!) { verifyCertificate(number: $n) { certificate {
  starsExplained { agrees message messageZh total elements { element } } } } }"""
COMPLAINTS = """query($u: String!) { institution(uscc: $u) {
  complaintSummary { received open overdue substantiated } } }"""


async def test_a_service_certificates_stars_are_explained_as_the_api_explains_them(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    api = (await reader(EXPLAINED, {"n": ASSESSED}))["data"]["verifyCertificate"]
    explained = api["certificate"]["starsExplained"]
    keyring = open_keyring(keys_dir)
    token = await certificate_token(reader.store, ASSESSED, keyring)
    assert token is not None

    asked = await _get(reader, number=ASSESSED)
    scanned = await reader.http.get(urlsplit(verify_link("http://registry.test", token)).path)

    assert explained is not None
    assert explained["agrees"] is True
    for response in (asked, scanned):
        assert response.status_code == 200
        section = _parse(response.text, "stars-explained").text
        assert section.startswith("星级评定依据 How the stars were earned")
        sentence = _parse(response.text, "stars-sentence").text
        assert sentence == explained["messageZh"] + explained["message"]  # Chinese first
        assert "证书所载星级与评定结果一致。" in section
        assert "The certificate carries the stars it earned." in section
        assert f"加权总分 Weighted total {explained['total']:g}" in section
        rows = _parse(response.text, "stars-elements").text
        for zh, en in (
            ("服务管理审核", "Service management audit"),
            ("神秘顾客", "Mystery customer"),
        ):
            assert f"{zh} {en}" in rows
        assert len(explained["elements"]) == 4


async def test_a_certificate_without_an_assessment_has_no_stars_explanation(
    reader: GraphQLClient,
) -> None:
    """CCSC24SC3012R1 is a five-star service certificate never assessed; 001OP2600391 is a
    product's."""
    for number in ("CCSC24SC3012R1", "001OP2600391"):
        html = (await _get(reader, number=number)).text
        assert 'id="verdict"' in html
        assert 'id="stars-explained"' not in html


async def test_the_issuers_complaint_summary_is_the_public_one_of_the_api(
    reader: GraphQLClient,
) -> None:
    api = (await reader(COMPLAINTS, {"u": CCSC_ISSUER}))["data"]["institution"]
    counts = api["complaintSummary"]

    html = (await _get(reader, number=ASSESSED)).text

    summary = _parse(html, "complaint-summary").text
    assert summary == (
        f"收到投诉 Received {counts['received']} 处理中 Open {counts['open']} "
        f"逾期未处理 Overdue {counts['overdue']} 经查实 Substantiated {counts['substantiated']}"
    )
    assert 'id="complaint-summary"' in _section_html(html, "issuer")


def _section_html(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]
