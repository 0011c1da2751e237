"""GET /institutions/{uscc}: who an institution is, what it may do, what it issued, and how
its credit stands (score with its factors drawn, supervision class, rank where it works); its
complaint summary and data quality; for a quality service station its catalogue and
performance; the service benchmarks naming it (``institution_service``).

Everything but the certificate counts is read through the GraphQL schema with the caller's
key (``page_reads``): the paged certificate list answers keyed callers as
``issuedCertificates`` does (a certification body its own, a partner its scope, oversight
all) and the public sees a note instead. The counts by family and status are aggregates the
public may see, like a region's statistics, and come from the store's count.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.models import CertificateQuery
from registry.domain.identifiers import normalise_identifier
from registry.domain.uscc import is_valid_uscc
from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.web.charts import Bar, bar_chart
from registry.web.institution_rank import rank_html
from registry.web.institution_service import (
    benchmarks_html,
    benchmarks_naming,
    data_quality_html,
    station_html,
    station_of,
)
from registry.web.issuer_view import (
    NOTHING,
    CreditStanding,
    complaint_summary_html,
    complaint_summary_of,
    credit_standing_html,
)
from registry.web.page import (
    bilingual,
    definitions,
    html_page,
    not_found_page,
    section,
    table,
    text,
)
from registry.web.page_reads import PageReader, reader_for
from registry.web.words import (
    ACCREDITATION_STATUSES,
    CERTIFICATE_STATUSES,
    FACTORS,
    FAMILIES,
    INSTITUTION_STATUSES,
    KINDS,
    SCHEMES,
    SUPERVISION_CLASSES,
    SUPERVISION_REASONS,
    word,
)

__all__ = ["INSTITUTION_QUERY", "routes"]

PAGE_SIZE = 20
_LIST = "institution.issuedCertificates"
_UNKNOWN = ("登记库中没有此统一社会信用代码的机构。", "No institution has this credit code.")
INSTITUTION_QUERY = """
query InstitutionPage($uscc: String!, $keyed: Boolean!, $first: Int!, $after: String) {
  institution(uscc: $uscc) {
    uscc name kinds address founded status statusSince supervised
    region { code name }
    group { uscc name }
    accreditations {
      number scheme scope validUntil status statusSince body { uscc name }
    }
    credit { score grade computedOn factors { name value weight contribution } }
    supervisionClass { class reasons { code } }
    complaintSummary { received open overdue substantiated }
    dataQuality { score factors { name value count outOf weight points applies } }
    issuedCertificates(first: $first, after: $after) @include(if: $keyed) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { number family standard status expiresOn holder { name } } }
    }
  }
}
"""


def routes() -> list[Route]:
    return [Route("/institutions/{uscc}", institution_page, methods=["GET"])]


async def institution_page(request: Request) -> Response:
    reader = await reader_for(request)
    if isinstance(reader, Response):
        return reader
    uscc = normalise_identifier(request.path_params["uscc"])
    after = request.query_params.get("after") or None
    found: dict[str, Any] | None = None
    refused: dict[str, str] = {}
    if is_valid_uscc(uscc):
        variables = {"uscc": uscc, "keyed": reader.keyed, "first": PAGE_SIZE, "after": after}
        answer = await reader.read(INSTITUTION_QUERY, variables)
        refused = answer.refused
        if answer.data.get("institution") is None and _LIST in refused:
            # The list is non-null in the schema: its refusal nulls the institution too.
            answer = await reader.read(INSTITUTION_QUERY, {**variables, "keyed": False})
        found = answer.data.get("institution")
    if found is None:
        return not_found_page(_UNKNOWN, uscc)
    body = await _body(reader, found, refused)
    return html_page(f"{found['name']} · {found['uscc']}", body)


async def _body(reader: PageReader, found: dict[str, Any], refused: dict[str, str]) -> str:
    complaints = complaint_summary_html(complaint_summary_of(found))
    parts = [
        f'<h1 id="institution-name">{text(found["name"])}</h1>',
        section("identity", "机构信息", "Who it is", _identity(found)),
        section("accreditations", "资质与认可", "Accreditations", _accreditations(found)),
        section(
            "certificates",
            "颁发的证书",
            "Certificates issued",
            await _certificates(reader, found, refused),
        ),
        section("credit", "信用评分", "Credit score", _credit(found)),
        section("supervision", "分类监管", "Supervision class", _supervision(found)),
        section("rank", "地区排名", "Rank in its region", await rank_html(reader, found)),
    ]
    if complaints:
        parts.append(section("complaints", "投诉概况", "Complaints", complaints))
    parts.append(section("data-quality", "数据质量", "Data quality", data_quality_html(found)))
    station, named = await asyncio.gather(
        station_of(reader, found), benchmarks_naming(reader, found)
    )
    if station is not None:
        served = station_html(station)
        parts.append(section("station", "一站式质量服务站", "Quality service station", served))
    if named:
        listed = benchmarks_html(named)
        parts.append(section("benchmarks", "服务标杆", "Service benchmarks", listed))
    parts.append(
        '<footer><p><a href="/verify">'
        f"{bilingual('证书查询', 'Check a certificate')}</a></p></footer>"
    )
    return "\n".join(parts)


def _link(path: str, name: str | None, key: str) -> str:
    return f'<a href="{path}{text(key)}">{text(name or key)}</a>'


def _identity(found: dict[str, Any]) -> str:
    status = word(INSTITUTION_STATUSES, found["status"])
    if found.get("statusSince"):
        status += f" · {bilingual('自', 'since')} {text(found['statusSince'])}"
    region, group = found.get("region"), found.get("group")
    return definitions(
        [
            (
                "统一社会信用代码",
                "Unified social credit code",
                f"<code>{text(found['uscc'])}</code>",
            ),
            ("机构类型", "Kind", "、".join(word(KINDS, k) for k in found["kinds"]) or NOTHING),
            ("机构状态", "Status", status),
            (
                "所在地区",
                "Region",
                _link("/regions/", region["name"], region["code"]) if region else NOTHING,
            ),
            ("地址", "Address", text(found.get("address") or NOTHING)),
            ("成立日期", "Founded", text(found.get("founded") or NOTHING)),
            (
                "所属集团",
                "Group",
                _link("/institutions/", group["name"], group["uscc"]) if group else NOTHING,
            ),
        ]
    )


def _accreditations(found: dict[str, Any]) -> str:
    held = found.get("accreditations") or []
    if not held:
        return f"<p>{bilingual('无', 'None')}</p>"
    rows = []
    for a in held:
        body = a.get("body")
        rows.append(
            [
                f"<code>{text(a['number'])}</code>",
                word(SCHEMES, a["scheme"]),
                "<br>".join(text(s) for s in a["scope"]) or NOTHING,
                word(ACCREDITATION_STATUSES, a["status"]),
                text(a["validUntil"]),
                _link("/institutions/", body["name"], body["uscc"]) if body else NOTHING,
            ]
        )
    heads = [
        ("编号", "Number"),
        ("类别", "Scheme"),
        ("范围", "Scope"),
        ("状态", "Status"),
        ("有效期至", "Valid until"),
        ("认可机构", "Granted by"),
    ]
    return table(
        heads, rows, table_id="accreditation-table", label=("资质与认可", "Accreditations")
    )


async def certificate_counts(reader: PageReader, issuer: str) -> dict[tuple[str, str], int]:
    """How many certificates the issuer issued, by family and by status today (the counts
    asked for together: the store answers them side by side)."""
    store, today = reader.runtime.open_store, reader.context.today
    cells = [(family, status) for family in CertificateFamily for status in CertificateStatus]
    counted = await asyncio.gather(
        *(
            store.count_certificates(
                CertificateQuery(
                    today=today, issuer=issuer, family=family.value, status=status.value
                )
            )
            for family, status in cells
        )
    )
    return {(f.value, s.value): n for (f, s), n in zip(cells, counted, strict=True)}


async def _certificates(reader: PageReader, found: dict[str, Any], refused: dict[str, str]) -> str:
    counts = await certificate_counts(reader, found["uscc"])
    families = [f for f in CertificateFamily if any(counts[(f, s)] for s in CertificateStatus)]
    if not families:
        return f'<p id="certificate-counts">{bilingual("未颁发证书", "None issued")}</p>'
    heads = [("类别", "Family"), *[CERTIFICATE_STATUSES[s] for s in CertificateStatus]]
    heads.append(("合计", "Total"))
    rows = [
        [
            word(FAMILIES, f),
            *[str(counts[(f, s)]) for s in CertificateStatus],
            str(sum(counts[(f, s)] for s in CertificateStatus)),
        ]
        for f in families
    ]
    counted = table(
        heads,
        rows,
        table_id="certificate-counts",
        label=("证书数量", "Certificate counts"),
        numeric=frozenset(range(1, len(heads))),
    )
    return counted + "\n" + _certificate_list(found, refused)


def _certificate_list(found: dict[str, Any], refused: dict[str, str]) -> str:
    listing = found.get("issuedCertificates")
    if _LIST in refused:
        code = refused[_LIST]
        words = bilingual(
            "此访问密钥不能列出这些证书。", "This key may not list these certificates."
        )
        return f'<p class="notice" id="certificate-list-note">{words} <code>{text(code)}</code></p>'
    if listing is None:
        words = bilingual(
            "证书清单仅向持有访问密钥的用户提供；公众可逐一查询证书。",
            "The list of certificates is for callers with an API key; anyone can check a "
            "certificate by its number.",
        )
        return f'<p class="notice" id="certificate-list-note">{words}</p>'
    rows = [
        [
            f'<a href="/verify?number={text(e["node"]["number"])}">{text(e["node"]["number"])}</a>',
            word(FAMILIES, e["node"]["family"]),
            text(e["node"]["standard"]),
            text((e["node"].get("holder") or {}).get("name") or NOTHING),
            word(CERTIFICATE_STATUSES, e["node"]["status"]),
            text(e["node"]["expiresOn"]),
        ]
        for e in listing["edges"]
    ]
    heads = [
        ("证书编号", "Number"),
        ("类别", "Family"),
        ("认证依据", "Standard"),
        ("获证组织", "Holder"),
        ("状态", "Status"),
        ("有效期至", "Expires on"),
    ]
    more = ""
    page = listing["pageInfo"]
    if page["hasNextPage"] and page["endCursor"]:
        more = (
            f'<nav class="pages" aria-label="pages"><a href="?after={text(page["endCursor"])}" '
            f'rel="next">{bilingual("下一页", "Next page")}</a></nav>'
        )
    total = bilingual(f"共 {listing['totalCount']} 张", f"{listing['totalCount']} in all")
    listed = table(heads, rows, table_id="certificate-list", label=("证书清单", "Certificates"))
    return f"<p>{total}</p>\n{listed}\n{more}"


def _credit(found: dict[str, Any]) -> str:
    credit = found.get("credit")
    standing = CreditStanding(
        supervised=bool(found.get("supervised")),
        grade=None if credit is None else credit.get("grade"),
        score=None if credit is None else credit.get("score"),
        computed_on=None if credit is None else credit.get("computedOn"),
    )
    html = credit_standing_html(standing)
    if credit is None or not credit.get("factors"):
        return html
    names = {f["name"]: FACTORS.get(f["name"], (f["name"], f["name"])) for f in credit["factors"]}
    bars = [
        Bar(
            names[f["name"]][0],
            names[f["name"]][1],
            value=f["value"],
            note=f"{f['contribution']:g} / {round(f['weight'] * 100):g}%",
        )
        for f in credit["factors"]
    ]
    chart = bar_chart(bars, title_zh="信用评分构成", title_en="What the score is made of")
    explained = bilingual(
        "每项 0 至 100 分；其后为该项计入总分的分数 / 权重。",
        "Each factor 0 to 100; then the points it adds to the score / its weight.",
    )
    return f"{html}\n<p>{explained}</p>\n{chart}"


def _supervision(found: dict[str, Any]) -> str:
    decision = found.get("supervisionClass")
    if decision is None:
        return f"<p>{bilingual('不属于分类监管对象。', 'Not under classified supervision.')}</p>"
    reasons = "".join(
        f"<li>{word(SUPERVISION_REASONS, r['code'])}</li>" for r in decision["reasons"]
    )
    return (
        f'<p id="supervision-class">{word(SUPERVISION_CLASSES, decision["class"])}</p>\n'
        f'<ul class="plain">{reasons}</ul>'
    )
