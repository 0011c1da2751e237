"""Where an institution stands in the credit ranking of its region and kind, read through the
public ``ranking`` query page by page (pinned, so the walk sees one set of scores).

The walk stops after ``MAX_RANK_PAGES`` pages; an institution further down is said to be
below them rather than searched for at any cost.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from registry.domain.supervision import is_supervised
from registry.domain.vocabulary import InstitutionKind
from registry.web.page import bilingual, text
from registry.web.page_reads import PageReader
from registry.web.words import KINDS, word

__all__ = ["MAX_RANK_PAGES", "RANK_PAGE", "rank_html"]

MAX_RANK_PAGES = 10
RANK_PAGE = 100
_RANK_QUERY = """
query InstitutionRank($region: String, $kind: InstitutionKind, $first: Int!, $after: String) {
  ranking(region: $region, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { rank node { uscc } }
  }
}
"""


def ranked_kind(kinds: list[str]) -> str | None:
    """The kind an institution is ranked among: its first supervised one."""
    for kind in kinds:
        if is_supervised([kind]):
            return InstitutionKind(kind).value
    return None


async def rank_html(reader: PageReader, found: dict[str, Any]) -> str:
    """ "Rank 3 of 12 among inspection and testing institutions in Dalian", with a link to
    that ranking; or why there is none."""
    kind, region = ranked_kind(found["kinds"]), found.get("region")
    if kind is None or region is None or not found.get("supervised"):
        return f"<p>{bilingual('不参与信用排名。', 'Not ranked by credit.')}</p>"
    variables: dict[str, Any] = {"region": region["code"], "kind": kind, "first": RANK_PAGE}
    rank: int | None = None
    total, pages, listed = 0, 0, False
    after: str | None = None
    while pages < MAX_RANK_PAGES:
        answer = await reader.read(_RANK_QUERY, {**variables, "after": after})
        ranking = answer.data.get("ranking")
        if ranking is None:
            break
        pages += 1
        total = ranking["totalCount"]
        hit = [e for e in ranking["edges"] if e["node"]["uscc"] == found["uscc"]]
        if hit:
            rank, listed = hit[0]["rank"], True
            break
        after = ranking["pageInfo"]["endCursor"]
        if not ranking["pageInfo"]["hasNextPage"] or after is None:
            break
    link = "/ranking?" + urlencode({"region": region["code"], "kind": kind})
    among = f"{word(KINDS, kind)} · {text(region['name'])}"
    if rank is not None:
        words = bilingual(f"第 {rank} 名，共 {total} 家", f"rank {rank} of {total}")
    elif listed:
        words = bilingual("未评级，不计名次", "unrated, so without a rank")
    else:
        words = bilingual(
            f"未进入前 {MAX_RANK_PAGES * RANK_PAGE} 名，或未评级",
            f"not in the first {MAX_RANK_PAGES * RANK_PAGE}, or unrated",
        )
    return (
        f'<p id="rank-line"><strong>{words}</strong> · {among}</p>\n'
        f'<p><a href="{text(link)}">{bilingual("查看完整排名", "See the whole ranking")}</a></p>'
    )
