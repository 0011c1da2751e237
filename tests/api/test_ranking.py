"""The public credit ranking: keyset pages, ties by USCC, shared competition ranks."""

from __future__ import annotations

from typing import Any

from graph.models import InstitutionQuery, StoredCredit
from tests.api.conftest import GraphQLClient
from tests.conftest import TODAY

RANKING = """query($region: String, $kind: InstitutionKind, $first: Int, $after: String) {
  ranking(region: $region, kind: $kind, first: $first, after: $after) {
    edges { cursor rank score node { uscc } }
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


async def _scored(api: GraphQLClient, scores: dict[str, float] = SCORES) -> None:
    """``scores`` for some institutions, 0 for every other (seeding scored them all)."""
    everyone = await api.store.list_institutions(InstitutionQuery(), after=None, limit=1000)
    await api.store.store_credit(
        [
            StoredCredit(i.uscc, scores.get(i.uscc, 0.0), "B", "[]", TODAY, "2026.1")
            for i in everyone
        ],
        actor="test",
    )


def _scored_rows(pages: list[list[tuple[int, float, str]]]) -> list[tuple[int, float, str]]:
    return [row for page in pages for row in page if row[1] > 0]


async def _pages(api: GraphQLClient, **variables: Any) -> list[list[tuple[int, float, str]]]:
    pages: list[list[tuple[int, float, str]]] = []
    after = None
    while True:
        body = await api(RANKING, {**variables, "after": after})
        assert "errors" not in body, body
        ranking = body["data"]["ranking"]
        pages.append([(e["rank"], e["score"], e["node"]["uscc"]) for e in ranking["edges"]])
        if not ranking["pageInfo"]["hasNextPage"]:
            return pages
        after = ranking["pageInfo"]["endCursor"]


async def test_pages_keep_ranks_and_ties_share_them(api: GraphQLClient) -> None:
    await _scored(api)

    pages = await _pages(api, region="210200", first=2)

    assert pages[:3] == [
        [(1, 90.0, "122102044044617942"), (1, 90.0, "12210204586216617X")],
        [(1, 90.0, "12210211760664248H"), (4, 70.0, "12210204501548234X")],
        [(5, 60.0, "1221021194751846XH"), (6, 50.0, "91210211401294580D")],
    ]
    assert all(score == 0 for page in pages[3:] for _, score, _ in page)


async def test_whole_country_and_kind_filter(api: GraphQLClient) -> None:
    await _scored(api)

    everyone = _scored_rows(await _pages(api, first=3))
    metrology = _scored_rows(await _pages(api, kind="METROLOGY"))

    assert [(r, u) for r, _, u in everyone][:5] == [
        (1, "91440112551766133P"),
        (2, "122102044044617942"),
        (2, "12210204586216617X"),
        (2, "12210211760664248H"),
        (5, "12210204501548234X"),
    ]
    assert len(everyone) == 7
    assert metrology == [(1, 90.0, "122102044044617942")]


async def test_a_foreign_cursor_is_refused(reader: GraphQLClient) -> None:
    body = await reader(RANKING, {"after": "bm90LWEtY3Vyc29y"})

    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_service_category_is_a_valid_accreditations_scope(api: GraphQLClient) -> None:
    holder = "121101064193791361"  # CNCA-R-2002-001 covers GB/T 27922-2011 (after-sales)
    await _scored(api, {**SCORES, holder: 75.0})
    query = (
        """query($c: String) { ranking(serviceCategory: $c) { edges { rank node { uscc } } } }"""
    )

    body = await api(query, {"c": "GB/T 27922-2011"})

    assert body["data"]["ranking"]["edges"][0] == {"rank": 1, "node": {"uscc": holder}}


async def test_pages_near_the_top_match_a_full_sort_at_every_page_size(
    api: GraphQLClient,
) -> None:
    """Whole-country pages are first looked for just below the top score, then lower."""
    spread = [99.5, 99.5, 97.0, 93.0, 80.0, 60.0, 10.0]  # inside each probe, and below all
    scores = dict(zip(SCORES, spread, strict=True))
    await _scored(api, scores)
    expected = sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    for first in (1, 2, 3, 4, 7):
        rows = _scored_rows(await _pages(api, first=first))

        assert [(u, s) for _, s, u in rows] == expected, first
        assert [r for r, _, _ in rows] == [1, 1, 3, 4, 5, 6, 7], first
