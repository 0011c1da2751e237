"""The pages for people (/institutions/{uscc}, /ranking, /regions/{code}, and what /verify
gained: the status timeline and the issuer's standing) over the seeded app."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from registry.domain.vocabulary import Role
from registry.web.region_page import YearOfRegion, years_html
from tests.api import seedfacts
from tests.api.conftest import CCSC, CNAS, DALIAN_ASSOCIATION, GraphQLClient

DALIAN_PRODUCT_INSTITUTE = "12210211760664248H"
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
CQC = "121101064193791361"
SUSPENDED_THEN_WITHDRAWN = "CQC24FW0588"
DALIAN = "210200"


class _Text(HTMLParser):
    """The text inside the element with ``wanted_id``, whitespace collapsed."""

    def __init__(self, wanted_id: str) -> None:
        super().__init__()
        self.wanted_id, self.depth, self.parts = wanted_id, 0, list[str]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in {"br", "input", "meta", "rect", "line"}
        elif dict(attrs).get("id") == self.wanted_id:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(html: str, wanted_id: str) -> str:
    parser = _Text(wanted_id)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


async def _page(
    client: GraphQLClient, path: str, *, role: Role = Role.PUBLIC, party: str | None = None
) -> httpx.Response:
    headers = {}
    if role is not Role.PUBLIC:
        headers["Authorization"] = f"Bearer {await client.key(role, party)}"
    return await client.http.get(path, headers=headers)


def _assert_strict(response: httpx.Response) -> None:
    """No script anywhere, and the policy that would block one."""
    assert "<script" not in response.text.lower()
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy


async def test_an_institution_page_says_who_it_is_and_what_it_may_do(
    reader: GraphQLClient,
) -> None:
    response = await _page(reader, f"/institutions/{DALIAN_PRODUCT_INSTITUTE}")
    assert response.status_code == 200
    _assert_strict(response)
    html = response.text
    assert text_of(html, "institution-name") == "大连产品质量检验检测研究院"
    identity = text_of(html, "identity")
    assert DALIAN_PRODUCT_INSTITUTE in identity
    assert "检验检测机构 Inspection and testing" in identity
    accreditations = text_of(html, "accreditation-table")
    for row in seedfacts.accreditations_of(DALIAN_PRODUCT_INSTITUTE):
        assert row["number"] in accreditations
    # The credit score with its factors drawn as an accessible inline SVG chart.
    assert re.search(r'<svg [^>]*class="chart"[^>]*role="img"', html)
    assert "协会信用评级 Association rating" in text_of(html, "credit")
    assert text_of(html, "supervision-class")
    assert re.search(r"(第 \d+ 名|未评级)", text_of(html, "rank-line"))


async def test_the_public_sees_certificate_counts_but_no_list(reader: GraphQLClient) -> None:
    response = await _page(reader, f"/institutions/{CCSC}")
    assert response.status_code == 200
    issued = seedfacts.seed("certificates")
    service_valid = sum(
        1
        for row in issued
        if row["issuer"] == CCSC
        and row["family"] == "SERVICE"
        and seedfacts.effective_status(row) == "VALID"
    )
    counts = text_of(response.text, "certificate-counts")
    assert counts.startswith("类别 Family 有效 Valid")
    assert f"服务认证 Service {service_valid} " in counts
    assert "API key" in text_of(response.text, "certificate-list-note")
    assert DALIAN_CERTIFICATE not in response.text


async def test_a_keyed_caller_pages_through_the_certificates_graphql_would_list(
    reader: GraphQLClient,
) -> None:
    partner = await _page(reader, f"/institutions/{CCSC}", role=Role.PARTNER, party=CCSC)
    listed = text_of(partner.text, "certificate-list")
    assert DALIAN_CERTIFICATE in listed
    own = {row["number"] for row in seedfacts.seed("certificates") if row["issuer"] == CCSC}
    shown = set(re.findall(r"number=([^\"&]+)\"", partner.text))
    assert shown
    assert shown <= own
    # An association's key may not list certificates (as in GraphQL): the page says so.
    association = await _page(
        reader, f"/institutions/{CCSC}", role=Role.ASSOCIATION, party=DALIAN_ASSOCIATION
    )
    assert "NOT_AUTHORIZED" in text_of(association.text, "certificate-list-note")
    assert DALIAN_CERTIFICATE not in association.text


async def test_an_unknown_institution_or_key_is_refused_plainly(reader: GraphQLClient) -> None:
    assert (await _page(reader, "/institutions/91110000000000000X")).status_code == 404
    assert (await _page(reader, "/institutions/not-a-code")).status_code == 404
    refused = await reader.http.get(
        f"/institutions/{CCSC}", headers={"Authorization": "Bearer qr_nonsense"}
    )
    assert refused.status_code == 401


async def test_the_ranking_page_lists_the_ranking_best_first(reader: GraphQLClient) -> None:
    response = await _page(reader, "/ranking?region=210000&kind=INSPECTION_TESTING")
    assert response.status_code == 200
    _assert_strict(response)
    rows = re.findall(
        r'<tr><td class="number">([^<]+)</td><td><a href="/institutions/(\w+)">',
        response.text,
    )
    assert rows
    ranks = [int(rank) for rank, _ in rows if rank.isdigit()]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    liaoning = seedfacts.region_subtree("210000")
    for _, uscc in rows:
        row = seedfacts.institution(uscc)
        assert row["region"] in liaoning
        assert "INSPECTION_TESTING" in row["kinds"]
    assert 'value="INSPECTION_TESTING" selected' in response.text


@pytest.mark.parametrize(
    "query", ["kind=NONSENSE", "region=abc", "category=NONE", "after=not-a-cursor"]
)
async def test_a_bad_ranking_filter_is_a_400_with_the_form(
    reader: GraphQLClient, query: str
) -> None:
    response = await _page(reader, f"/ranking?{query}")
    assert response.status_code == 400
    assert 'id="notice"' in response.text
    assert '<form class="filters"' in response.text


async def test_a_region_page_counts_what_the_seeds_hold_and_links_sub_regions(
    reader: GraphQLClient,
) -> None:
    response = await _page(reader, f"/regions/{DALIAN}")
    assert response.status_code == 200
    _assert_strict(response)
    figures = seedfacts.region_statistics(DALIAN)
    statistics = text_of(response.text, "region-statistics")
    assert f"机构数 Institutions {figures['institutions']}" in statistics
    assert f"有效证书 Valid certificates {figures['validCertificates']}" in statistics
    children = [r for r in seedfacts.seed("regions") if r.get("parent") == DALIAN]
    assert children
    for child in children:
        assert f'href="/regions/{child["code"]}"' in response.text
    assert 'href="/ranking?region=210200"' in response.text
    assert 'href="/regions/210000"' in response.text  # its parent, Liaoning
    assert (await _page(reader, "/regions/999999")).status_code == 404


async def test_a_region_page_charts_the_last_ten_years_the_api_gives(
    reader: GraphQLClient,
) -> None:
    body = await reader(
        "query($c: String!) { region(code: $c) { statistics { yearOverYear {"
        " year institutions validCertificates certificatesIssued } } } }",
        {"c": DALIAN},
    )
    years = body["data"]["region"]["statistics"]["yearOverYear"]
    assert years, "the seeds have dated certificates in Dalian"

    response = await _page(reader, f"/regions/{DALIAN}")

    _assert_strict(response)
    section = text_of(response.text, "year-table")
    assert 'class="chart"' in response.text
    assert 'role="img"' in response.text
    for row in years[-10:]:
        figures = (row["institutions"], row["validCertificates"], row["certificatesIssued"])
        assert f"{row['year']} {' '.join(map(str, figures))}" in section
    for row in years[:-10]:
        assert f"{row['year']} {row['institutions']} " not in section


async def test_the_verify_page_shows_the_timeline_and_the_issuers_standing(
    reader: GraphQLClient,
) -> None:
    response = await reader.http.get("/verify", params={"number": SUSPENDED_THEN_WITHDRAWN})
    timeline = text_of(response.text, "timeline")
    steps = seedfacts.history(SUSPENDED_THEN_WITHDRAWN)
    assert len(steps) >= 2
    for step in steps:
        assert step["effectiveOn"] in timeline
    assert timeline.index("2025-09-01 暂停 Suspended") < timeline.index("2026-03-02 撤销 Withdrawn")
    issuer = text_of(response.text, "issuer")
    assert "中国质量认证中心" in issuer
    assert f'href="/institutions/{CQC}"' in response.text
    assert re.search(r"(信用分 score \d+\.\d/100|未评级)", issuer)


async def test_an_unknown_number_has_no_timeline_and_no_issuer(reader: GraphQLClient) -> None:
    response = await reader.http.get("/verify", params={"number": "NO-SUCH-NUMBER-1"})
    assert text_of(response.text, "timeline") == "状态变更记录 Status timeline —"
    assert 'id="issuer"' not in response.text


async def test_a_body_under_no_supervision_has_no_score_chart_nor_rank(
    reader: GraphQLClient,
) -> None:
    response = await _page(reader, f"/institutions/{CNAS}")
    assert response.status_code == 200
    assert "Not under classified supervision" in text_of(response.text, "credit")
    assert "<svg" not in response.text
    assert "Not ranked by credit" in text_of(response.text, "rank")


async def test_the_next_page_of_the_ranking_continues_the_walk_graphql_pinned(
    reader: GraphQLClient,
) -> None:
    first = await reader("{ ranking(first: 2) { pageInfo { endCursor } edges { rank } } }")
    cursor = first["data"]["ranking"]["pageInfo"]["endCursor"]
    response = await reader.http.get("/ranking", params={"after": cursor})
    assert response.status_code == 200
    ranks = re.findall(r'<tr><td class="number">(\d+)</td>', response.text)
    assert ranks[0] == "3"
    assert 'href="?"' in response.text  # back to the first page, with no filters


def test_yearly_figures_are_drawn_with_a_table_beside_the_chart() -> None:
    html = years_html(
        [YearOfRegion(2024, 190, 5000, 1200), YearOfRegion(2025, 199, 5646, 1500, 0.129)]
    )
    assert re.search(r'<svg [^>]*role="img"', html)
    figures = text_of(html, "year-table")
    assert "2025 199 5646 1500 +12.9%" in figures
