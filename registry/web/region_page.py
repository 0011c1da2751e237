"""GET /regions/{code}: a region's statistics (sub-regions included), its year-over-year
figures as a chart, and links to its sub-regions and its credit ranking.

The region and its statistics are the public ``region`` query; the sub-regions come from the
region tree with their statistics (public counts, as ``Region.statistics`` gives them).
The year-over-year section draws the last ``SHOWN_YEARS`` rows of
``Region.statistics.yearOverYear`` (generated data goes back to 1952: seventy columns help
nobody on a phone), and is left out when there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.web.charts import YearPoint, column_chart, growth_words
from registry.web.page import (
    bilingual,
    definitions,
    html_page,
    not_found_page,
    section,
    table,
    text,
)
from registry.web.page_reads import reader_for
from registry.web.words import LEVELS, word

__all__ = ["REGION_QUERY", "YearOfRegion", "routes", "year_points", "year_rows_of", "years_html"]

REGION_QUERY = """
query RegionPage($code: String!) {
  region(code: $code) {
    code name level
    parent { code name }
    statistics {
      institutions validCertificates certifiedOrganizations
      yearOverYear { year institutions validCertificates certificatesIssued growth }
    }
  }
}
"""


@dataclass(frozen=True, slots=True)
class YearOfRegion:
    """One year of a region's figures, as ``statistics.yearOverYear`` gives them."""

    year: int
    institutions: int
    valid_certificates: int
    certificates_issued: int
    growth: float | None = None


SHOWN_YEARS = 10


def year_rows_of(region: dict[str, Any]) -> list[YearOfRegion]:
    """The last ``SHOWN_YEARS`` yearly figures in a ``region`` answer, oldest first (none when
    not asked for)."""
    rows = (region.get("statistics") or {}).get("yearOverYear") or []
    return sorted(
        (
            YearOfRegion(
                year=int(r["year"]),
                institutions=int(r["institutions"]),
                valid_certificates=int(r["validCertificates"]),
                certificates_issued=int(r["certificatesIssued"]),
                growth=None if r.get("growth") is None else float(r["growth"]),
            )
            for r in rows
        ),
        key=lambda r: r.year,
    )[-SHOWN_YEARS:]


def year_points(rows: Sequence[YearOfRegion]) -> list[YearPoint]:
    """Valid certificates at each year's end, with the growth on the year before worked out
    from the same series (so the chart's labels always match its columns)."""
    points: list[YearPoint] = []
    for row in rows:
        before = points[-1].value if points and points[-1].year == row.year - 1 else None
        growth = None if not before else (row.valid_certificates - before) / before
        points.append(YearPoint(row.year, row.valid_certificates, growth))
    return points


def routes() -> list[Route]:
    return [Route("/regions/{code}", region_page, methods=["GET"])]


async def region_page(request: Request) -> Response:
    reader = await reader_for(request)
    if isinstance(reader, Response):
        return reader
    code = request.path_params["code"]
    found: dict[str, Any] | None = None
    if code.isdigit() and len(code) == 6:
        found = (await reader.read(REGION_QUERY, {"code": code})).data.get("region")
    if found is None:
        return not_found_page(("没有此代码的地区。", "No region has this code."), code)
    store = reader.runtime.open_store
    children = sorted(
        (r for r in await store.get_regions() if r.parent == found["code"]), key=lambda r: r.code
    )
    counts = {
        s.code: s
        for s in await store.region_statistics(
            [c.code for c in children], today=reader.context.today.isoformat()
        )
    }
    sub_rows = [
        [
            f'<a href="/regions/{text(c.code)}">{text(c.name)}</a> <code>{text(c.code)}</code>',
            *(
                str(getattr(counts[c.code], name)) if c.code in counts else "0"
                for name in ("institutions", "valid_certificates", "certified_organizations")
            ),
        ]
        for c in children
    ]
    parts = [
        f'<h1 id="region-name">{text(found["name"])} '
        f'<span class="en">{word(LEVELS, found["level"])}</span></h1>',
        section("statistics", "统计", "Statistics", _statistics(found)),
    ]
    years = year_rows_of(found)
    if years:
        parts.append(section("year-over-year", "逐年变化", "Year over year", years_html(years)))
    parts.append(section("sub-regions", "下级地区", "Sub-regions", _sub_regions(sub_rows)))
    ranking = "/ranking?" + urlencode({"region": found["code"]})
    parent = found.get("parent")
    links = [f'<a href="{text(ranking)}">{bilingual("本地区信用排名", "Credit ranking here")}</a>']
    if parent:
        links.append(
            f'<a href="/regions/{text(parent["code"])}">'
            f"{bilingual('上级地区', 'Parent region')}: {text(parent['name'])}</a>"
        )
    parts.append(f'<nav class="pages" aria-label="links">{" ".join(links)}</nav>')
    return html_page(f"{found['name']} · {found['code']}", "\n".join(parts))


def _statistics(found: dict[str, Any]) -> str:
    stats = found["statistics"]
    rows = [
        ("地区代码", "Region code", f"<code>{text(found['code'])}</code>"),
        ("机构数", "Institutions", str(stats["institutions"])),
        ("有效证书", "Valid certificates", str(stats["validCertificates"])),
        ("获证组织", "Certified organisations", str(stats["certifiedOrganizations"])),
    ]
    note = bilingual("含下级地区。", "Sub-regions included.")
    return f'<div id="region-statistics">{definitions(rows)}</div>\n<p>{note}</p>'


def years_html(rows: Sequence[YearOfRegion]) -> str:
    chart = column_chart(
        year_points(rows), title_zh="年末有效证书", title_en="Valid certificates at year end"
    )
    figures = table(
        [
            ("年份", "Year"),
            ("机构数", "Institutions"),
            ("有效证书", "Valid certificates"),
            ("新发证书", "Certificates issued"),
            ("增长", "Growth"),
        ],
        [
            [
                str(r.year),
                str(r.institutions),
                str(r.valid_certificates),
                str(r.certificates_issued),
                text(growth_words(r.growth)),
            ]
            for r in rows
        ],
        table_id="year-table",
        label=("逐年变化", "Year over year"),
        numeric=frozenset(range(1, 5)),
    )
    return f"{chart}\n{figures}"


def _sub_regions(rows: list[list[str]]) -> str:
    if not rows:
        return f"<p>{bilingual('无下级地区。', 'No sub-regions.')}</p>"
    heads = [
        ("地区", "Region"),
        ("机构数", "Institutions"),
        ("有效证书", "Valid certificates"),
        ("获证组织", "Certified organisations"),
    ]
    return table(
        heads,
        rows,
        table_id="sub-region-table",
        label=("下级地区", "Sub-regions"),
        numeric=frozenset(range(1, 4)),
    )
