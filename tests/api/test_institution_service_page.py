"""What /institutions/{uscc} gained from the merged features: the public complaint summary and
data quality, a quality service station's catalogue and performance, and the service
benchmarks naming the institution; each the same as the GraphQL answer to the same key."""

from __future__ import annotations

import re

from registry.domain.vocabulary import Role
from tests.api.conftest import CCSC, GraphQLClient
from tests.api.test_pages import DALIAN_PRODUCT_INSTITUTE, _assert_strict, _page, text_of

HEPING = "1221010232988047XL"  # 沈阳市和平区一站式质量服务站
HEPING_MASTER = "姜明慧"  # the seeded station master: personal data
PUBLIC = """query($u: String!) { institution(uscc: $u) {
  complaintSummary { received open overdue substantiated }
  dataQuality { score factors { name applies } } } }"""
STATION = """query { stations(region: "210102") { uscc
  services { category } staff { role name } performance { requests done } } }"""


async def test_the_public_sees_complaints_and_data_quality_as_the_api_counts_them(
    reader: GraphQLClient,
) -> None:
    institute = (await reader(PUBLIC, {"u": DALIAN_PRODUCT_INSTITUTE}))["data"]["institution"]
    body = (await reader(PUBLIC, {"u": CCSC}))["data"]["institution"]
    counts, quality = institute["complaintSummary"], body["dataQuality"]

    html = (await _page(reader, f"/institutions/{DALIAN_PRODUCT_INSTITUTE}")).text
    issuer = (await _page(reader, f"/institutions/{CCSC}")).text

    assert text_of(html, "complaint-summary") == (
        f"收到投诉 Received {counts['received']} 处理中 Open {counts['open']} "
        f"逾期未处理 Overdue {counts['overdue']} 经查实 Substantiated {counts['substantiated']}"
    )
    assert institute["dataQuality"] is None  # it issues no certificates
    assert "No certificates issued: no score." in text_of(html, "data-quality")
    assert text_of(issuer, "data-quality").startswith("数据质量 Data quality")
    assert text_of(issuer, "data-quality-score").startswith(f"{quality['score']} /100")
    table = issuer[issuer.index('id="data-quality-factors"') :].split("</table>")[0]
    assert table.count("<tr>") == len(quality["factors"]) + 1  # the head row, one per factor
    assert "状态变更记录及时性 Changes recorded on time" in text_of(issuer, "data-quality-factors")


async def test_a_benchmark_naming_the_institution_is_listed_with_its_evidence(
    reader: GraphQLClient,
) -> None:
    html = (await _page(reader, f"/institutions/{DALIAN_PRODUCT_INSTITUTE}")).text
    listed = text_of(html, "benchmark-table")
    assert "2026 检验检测服务认证 Inspection-and-testing service certification" in listed
    assert "5星 5-star" in listed
    assert "Five-star inspection-and-testing service certification held since 2017" in listed
    station = (await _page(reader, f"/institutions/{HEPING}")).text
    assert 'id="benchmark-table"' not in station  # no benchmark names it in the seeds


async def test_a_station_shows_its_catalogue_and_performance_without_personal_names(
    reader: GraphQLClient,
) -> None:
    [api] = [s for s in (await reader(STATION))["data"]["stations"] if s["uscc"] == HEPING]

    html = (await _page(reader, f"/institutions/{HEPING}")).text

    services = text_of(html, "station-services")
    assert "检验检测服务 Inspection and testing" in services
    rows = html[html.index('id="station-services"') :].split("</table>")[0].count("<tr>")
    assert rows == len(api["services"]) + 1
    staff = text_of(html, "station-staff")
    assert "站长 Station master" in staff
    assert HEPING_MASTER not in html
    performance = text_of(html, "station-performance")
    assert f"受理需求 Requests {api['performance']['requests']}" in performance
    assert (
        'id="station"'
        not in (await _page(reader, f"/institutions/{DALIAN_PRODUCT_INSTITUTE}")).text
    )


async def test_staff_names_show_to_the_keys_the_api_shows_them_to(reader: GraphQLClient) -> None:
    """Oversight sees the names through the API, and so on the page; the public neither."""
    api = await reader(STATION, role=Role.REGULATOR)
    [heping] = [s for s in api["data"]["stations"] if s["uscc"] == HEPING]
    names = [s["name"] for s in heping["staff"] if s["name"]]

    html = (await _page(reader, f"/institutions/{HEPING}", role=Role.REGULATOR)).text

    assert HEPING_MASTER in names
    staff = text_of(html, "station-staff")
    assert all(name in staff for name in names)


async def test_the_new_sections_carry_no_inline_script_nor_style(reader: GraphQLClient) -> None:
    """The strict policy allows the one stylesheet by hash in the head, nothing else: no style
    or handler attribute in the body (the station's chart is presentation attributes only)."""
    for path in (
        f"/institutions/{HEPING}",
        f"/institutions/{DALIAN_PRODUCT_INSTITUTE}",
        "/verify?number=CCSC17SC0100",
    ):
        response = await _page(reader, path)
        assert response.status_code == 200
        _assert_strict(response)
        body = response.text.lower().split("</head>", 1)[1]
        assert 'id="station"' in body or 'id="stars-explained"' in body or "benchmark" in body
        assert "<style" not in body
        assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", body)
