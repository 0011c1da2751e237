"""The public credit ranking: supervised institutions only, the unrated last, keyset pages
pinned to one change seq, cursors bound to their filter, service categories from a taxonomy."""

from __future__ import annotations

import time
from typing import Any

from graph.cypher_store.scores import ranking_key
from graph.models import InstitutionQuery, StoredCredit
from registry.domain.supervision import is_supervised
from tests.api.conftest import GraphQLClient
from tests.api.operations import ranking_cursor_with
from tests.api.seedfacts import institutions, region_subtree, seed
from tests.conftest import TODAY

RANKING = """query($region: String, $kind: InstitutionKind, $category: ServiceCategory,
                  $unrated: Boolean! = true, $first: Int, $after: String) {
  ranking(region: $region, kind: $kind, serviceCategory: $category, includeUnrated: $unrated,
          first: $first, after: $after) {
    totalCount asOf
    edges { cursor rank score status node { uscc } }
    pageInfo { hasNextPage endCursor } } }"""

SCORES = {
    "122102044044617942": 90.0,  # Dalian, METROLOGY and INSPECTION_TESTING
    "12210204586216617X": 90.0,
    "12210211760664248H": 90.0,
    "12210204501548234X": 70.0,
    "1221021194751846XH": 60.0,
    "91210211401294580D": 50.0,
    "91440112551766133P": 95.0,  # Guangzhou
}
DALIAN_UNRATED = "1221020363493880XJ"  # 大连标准化研究中心, the one Dalian institute left out
DALIAN: dict[str, float | None] = {
    **{u: s for u, s in SCORES.items() if u != "91440112551766133P"},
    DALIAN_UNRATED: None,
}
Row = tuple[int | None, float | None, str]


def _ranked(scores: dict[str, float | None]) -> list[tuple[str, float | None]]:
    """The order the registry promises: best score first, ties and the unrated in the fixed
    order of their ranking keys (a digest of the USCC), the unrated last."""
    return sorted(scores.items(), key=lambda item: -ranking_key(item[1], item[0]))


def _numbered(scores: dict[str, float | None]) -> list[Row]:
    """Competition ranks over :func:`_ranked`."""
    rows: list[Row] = []
    for position, (uscc, score) in enumerate(_ranked(scores), start=1):
        tied = rows and score is not None and rows[-1][1] == score
        rows.append((rows[-1][0] if tied else (None if score is None else position), score, uscc))
    return rows


def _supervised(where: Any = lambda _: True) -> set[str]:
    return {row["uscc"] for row in institutions(where) if is_supervised(row["kinds"])}


async def _scored(api: GraphQLClient, scores: dict[str, float] = SCORES) -> None:
    """``scores`` for some supervised institutions, UNRATED for every other one."""
    everyone = await api.store.list_institutions(InstitutionQuery(), after=None, limit=1000)
    await api.store.store_credit(
        [
            StoredCredit(
                i.uscc, scores.get(i.uscc), "B" if i.uscc in scores else None, "[]", TODAY, "2026.2"
            )
            for i in everyone
            if is_supervised(i.kinds)
        ],
        actor="test",
    )


async def _page(api: GraphQLClient, **variables: Any) -> dict[str, Any]:
    body = await api(RANKING, variables)
    assert "errors" not in body, body
    ranking: dict[str, Any] = body["data"]["ranking"]
    return ranking


def _rows(ranking: dict[str, Any]) -> list[Row]:
    return [(e["rank"], e["score"], e["node"]["uscc"]) for e in ranking["edges"]]


async def _pages(api: GraphQLClient, **variables: Any) -> list[list[Row]]:
    pages: list[list[Row]] = []
    after = None
    while True:
        ranking = await _page(api, **variables, after=after)
        pages.append(_rows(ranking))
        if not ranking["pageInfo"]["hasNextPage"]:
            return pages
        after = ranking["pageInfo"]["endCursor"]


def _rated(pages: list[list[Row]]) -> list[Row]:
    return [row for page in pages for row in page if row[1] is not None]


async def test_pages_keep_ranks_and_ties_share_them(api: GraphQLClient) -> None:
    await _scored(api)

    pages = await _pages(api, region="210200", first=2)

    assert [row for page in pages for row in page] == _numbered(DALIAN)
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert [r for r, _, _ in pages[0] + pages[1]] == [1, 1, 1, 4]


async def test_only_supervised_institutions_are_ranked(api: GraphQLClient) -> None:
    """Regulators, CNAS, associations and the Dalian group are never ranked (seeded scores)."""
    ranked = {uscc for page in await _pages(api, first=50) for _, _, uscc in page}

    assert ranked == _supervised()
    assert "11210200996939498X" not in ranked  # 大连市市场监督管理局


async def test_the_unrated_come_last_or_are_left_out(api: GraphQLClient) -> None:
    await _scored(api)

    everyone = await _page(api, first=100)
    rated = await _page(api, first=100, unrated=False)

    statuses = [e["status"] for e in everyone["edges"]]
    assert statuses == sorted(statuses)  # RATED before UNRATED
    assert statuses.count("RATED") == len(SCORES)
    assert everyone["totalCount"] == len(_supervised())
    assert [e["status"] for e in rated["edges"]] == ["RATED"] * len(SCORES)
    assert rated["totalCount"] == len(SCORES)
    unrated = everyone["edges"][len(SCORES) :]
    assert all(e["rank"] is None and e["score"] is None for e in unrated)
    unrated_usccs = [e["node"]["uscc"] for e in unrated]
    assert unrated_usccs == [u for u, _ in _ranked(dict.fromkeys(unrated_usccs))]


async def test_whole_country_and_kind_filter(api: GraphQLClient) -> None:
    await _scored(api)

    everyone = _rated(await _pages(api, first=3))
    metrology = _rated(await _pages(api, kind="METROLOGY"))

    assert everyone == _numbered(SCORES)  # type: ignore[arg-type]
    assert [r for r, _, _ in everyone] == [1, 2, 2, 2, 5, 6, 7]
    assert metrology == [(1, 90.0, "122102044044617942")]


async def test_total_count_is_the_same_on_every_page(api: GraphQLClient) -> None:
    await _scored(api)
    first = await _page(api, region="210000", first=2)
    second = await _page(api, region="210000", first=2, after=first["pageInfo"]["endCursor"])

    expected = len(_supervised(lambda row: row["region"] in region_subtree("210000")))
    assert first["totalCount"] == second["totalCount"] == expected
    assert first["asOf"] == second["asOf"]


async def test_a_walk_stays_consistent_while_scores_change(api: GraphQLClient) -> None:
    """Moves made between pages show on the next walk, never as repeats or gaps in this one."""
    await _scored(api)
    first = await _page(api, region="210200", first=3)

    await _scored(
        api,
        {**SCORES, "91210211401294580D": 99.0, "122102044044617942": 10.0, DALIAN_UNRATED: 80.0},
    )
    rest: list[Row] = []
    after = first["pageInfo"]["endCursor"]
    while after is not None:
        page = await _page(api, region="210200", first=3, after=after)
        assert page["asOf"] == first["asOf"]
        rest += _rows(page)
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None

    walk = _rows(first) + rest
    assert walk == _numbered(DALIAN)
    fresh = _rows(await _page(api, region="210200", first=10))
    assert fresh[0] == (1, 99.0, "91210211401294580D")
    assert (4, 80.0, DALIAN_UNRATED) in fresh
    assert fresh[-1] == (7, 10.0, "122102044044617942")


async def test_a_foreign_cursor_is_refused(reader: GraphQLClient) -> None:
    body = await reader(RANKING, {"after": "bm90LWEtY3Vyc29y"})

    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_a_cursor_used_with_another_filter_is_refused(reader: GraphQLClient) -> None:
    first = await _page(reader, region="210000", first=2)
    cursor = first["pageInfo"]["endCursor"]

    for other in ({"region": "210200"}, {"region": "210000", "kind": "METROLOGY"},
                  {"region": "210000", "unrated": False}, {}):  # fmt: skip
        body = await reader(RANKING, {**other, "first": 2, "after": cursor})
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", other


def _pinned_31_minutes_ago(cursor: str) -> str:
    return ranking_cursor_with(cursor, 2, time.time() - 31 * 60, signed=True)


async def test_a_cursor_past_its_retention_is_expired_once_scores_moved(
    api: GraphQLClient,
) -> None:
    first = await _page(api, first=2)
    old = _pinned_31_minutes_ago(first["pageInfo"]["endCursor"])
    untouched = await _page(api, first=2, after=old)  # nothing written since: still exact

    await _scored(api)
    expired = await api(RANKING, {"first": 3, "after": old})  # another page size: not cached

    assert untouched["asOf"] == first["asOf"]
    assert expired["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"


async def test_service_categories_follow_the_taxonomy(api: GraphQLClient) -> None:
    await _scored(api, {**SCORES, "121101064193791361": 75.0})  # CQC

    after_sales = await _pages(api, category="AFTER_SALES_SERVICE_CERTIFICATION")
    testing = {u for page in await _pages(api, category="INSPECTION_TESTING") for *_, u in page}
    quality = {u for page in await _pages(api, category="QUALITY_MANAGEMENT") for *_, u in page}

    accredited = {
        row["holder"]
        for row in seed("accreditations")
        if row["status"] == "VALID" and "GB/T 27922-2011" in row["scope"]
    }
    ranked = [u for page in after_sales for *_, u in page]
    assert ranked[0] == "121101064193791361"  # CQC, the one rated
    assert set(ranked) == accredited
    assert len(accredited) == 4
    stations = _supervised(lambda row: "QUALITY_SERVICE_STATION" in row["kinds"])
    assert quality == stations
    assert testing == stations | _supervised(lambda row: "INSPECTION_TESTING" in row["kinds"])


async def test_an_unknown_service_category_is_refused(reader: GraphQLClient) -> None:
    body = await reader(RANKING, {"category": "GB/T 27922-2011"})

    assert body["errors"][0]["extensions"]["code"] == "BAD_VARIABLES"


async def test_pages_near_the_top_match_a_full_sort_at_every_page_size(
    api: GraphQLClient,
) -> None:
    """Whole-country pages are first looked for just below the top score, then lower."""
    spread = [99.5, 99.5, 97.0, 93.0, 80.0, 60.0, 10.0]  # inside each probe, and below all
    scores = dict(zip(SCORES, spread, strict=True))
    await _scored(api, scores)
    expected = _numbered(scores)  # type: ignore[arg-type]

    for first in (1, 2, 3, 4, 7):
        rows = _rated(await _pages(api, first=first, unrated=False))

        assert rows == expected, first
        assert [r for r, _, _ in rows] == [1, 1, 3, 4, 5, 6, 7], first
