"""GET /ranking?region=&kind=&category=: supervised institutions by credit score, best first,
paged. It is the public ``ranking`` query put into a table; the pages of one walk share the
pin its first page took (``after`` carries it), so nobody appears twice or not at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.domain.supervision import SUPERVISED_KINDS
from registry.domain.vocabulary import InstitutionKind, ServiceCategory
from registry.web.issuer_view import NOTHING
from registry.web.page import bilingual, html_page, section, table, text
from registry.web.page_reads import reader_for
from registry.web.words import KINDS, SERVICE_CATEGORIES

__all__ = ["RANKING_QUERY", "routes"]

PAGE_SIZE = 20
_TITLE = "信用排名 Credit ranking"
RANKING_QUERY = """
query RankingPage($region: String, $kind: InstitutionKind, $category: ServiceCategory,
                  $first: Int!, $after: String) {
  ranking(region: $region, kind: $kind, serviceCategory: $category, first: $first,
          after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { rank score node { uscc name region { code name } credit { grade } } }
  }
}
"""
_PROBLEMS = {
    "CURSOR_EXPIRED": (
        "该排名页面已过期，请从第一页重新查看。",
        "This page of the ranking has expired; start again from the first page.",
    ),
}
_BAD_INPUT = (
    "筛选条件无效，请检查地区代码（6位数字）。",
    "A filter is not valid; check the region code (six digits).",
)


def routes() -> list[Route]:
    return [Route("/ranking", ranking_page, methods=["GET"])]


async def ranking_page(request: Request) -> Response:
    reader = await reader_for(request)
    if isinstance(reader, Response):
        return reader
    params = request.query_params
    region = params.get("region", "").strip() or None
    kind = params.get("kind") or None
    category = params.get("category") or None
    filters = {"region": region, "kind": kind, "category": category}
    form = _form(region, kind, category)
    if (kind is not None and kind not in InstitutionKind.__members__) or (
        category is not None and category not in ServiceCategory.__members__
    ):
        return html_page(_TITLE, _page(form, _notice(_BAD_INPUT)), status_code=400)
    answer = await reader.read(
        RANKING_QUERY, {**filters, "first": PAGE_SIZE, "after": params.get("after") or None}
    )
    ranking = answer.data.get("ranking")
    if ranking is None:
        code = answer.refused.get("ranking", "INVALID_INPUT")
        words = _PROBLEMS.get(code, _BAD_INPUT)
        return html_page(_TITLE, _page(form, _notice(words, code)), status_code=400)
    return html_page(_TITLE, _page(form, _table(ranking, filters)))


_INTRO = (
    "分类监管机构按登记库信用分数排序；并列者名次相同；未评级者列于最后。",
    "Supervised institutions by the registry's credit score, best first; equal scores "
    "share a rank; the unrated come last.",
)


def _page(form: str, content: str) -> str:
    return (
        f"<h1>{bilingual('信用排名', 'Credit ranking')}</h1>\n"
        f"<p>{bilingual(*_INTRO)}</p>\n"
        f"{section('filters', '筛选', 'Filters', form)}\n{content}"
    )


def _notice(words: tuple[str, str], code: str | None = None) -> str:
    suffix = "" if code is None else f" <code>{text(code)}</code>"
    return f'<p class="notice" id="notice" role="alert">{bilingual(*words)}{suffix}</p>'


def _options(table: dict[str, tuple[str, str]], chosen: str | None) -> str:
    everyone = f'<option value="">{bilingual("全部", "All")}</option>'
    return everyone + "".join(
        f'<option value="{text(value)}"{" selected" if value == chosen else ""}>'
        f"{text(zh)} / {text(en)}</option>"
        for value, (zh, en) in table.items()
    )


def _form(region: str | None, kind: str | None, category: str | None) -> str:
    kinds = {k: v for k, v in KINDS.items() if k in SUPERVISED_KINDS}
    return (
        '<form class="filters" method="get" accept-charset="utf-8">\n'
        f'<label for="region">{bilingual("地区代码", "Region code")}</label>\n'
        f'<input id="region" name="region" type="text" inputmode="numeric" maxlength="6" '
        f'value="{text(region or "")}" autocomplete="off">\n'
        f'<label for="kind">{bilingual("机构类型", "Kind")}</label>\n'
        f'<select id="kind" name="kind">{_options(kinds, kind)}</select>\n'
        f'<label for="category">{bilingual("服务类别", "Service category")}</label>\n'
        f'<select id="category" name="category">'
        f"{_options(dict(SERVICE_CATEGORIES), category)}</select>\n"
        f'<button type="submit">{bilingual("查看排名", "Show the ranking")}</button>\n'
        "</form>"
    )


def _table(ranking: dict[str, Any], filters: dict[str, str | None]) -> str:
    if not ranking["edges"]:
        return f'<p id="ranking-empty">{bilingual("没有符合条件的机构。", "Nobody matches.")}</p>'
    rows = []
    for edge in ranking["edges"]:
        node = edge["node"]
        region = node.get("region")
        grade = (node.get("credit") or {}).get("grade")
        rows.append(
            [
                NOTHING if edge["rank"] is None else str(edge["rank"]),
                f'<a href="/institutions/{text(node["uscc"])}">{text(node["name"])}</a>',
                text(region["name"]) if region else NOTHING,
                NOTHING if edge["score"] is None else f"{edge['score']:.1f}",
                text(grade or NOTHING),
            ]
        )
    heads = [("名次", "Rank"), ("机构", "Institution"), ("地区", "Region")]
    heads += [("信用分", "Score"), ("等级", "Grade")]
    listed = table(
        heads,
        rows,
        table_id="ranking-table",
        label=("信用排名", "Credit ranking"),
        numeric=frozenset({0, 3}),
    )
    kept = {name: value for name, value in filters.items() if value}
    links = [f'<a href="?{text(urlencode(kept))}">{bilingual("第一页", "First page")}</a>']
    page = ranking["pageInfo"]
    if page["hasNextPage"] and page["endCursor"]:
        following = urlencode({**kept, "after": page["endCursor"]})
        links.append(
            f'<a href="?{text(following)}" rel="next">{bilingual("下一页", "Next page")}</a>'
        )
    total = bilingual(f"共 {ranking['totalCount']} 家", f"{ranking['totalCount']} in all")
    return (
        f'<p>{total}</p>\n{listed}\n<nav class="pages" aria-label="pages">{" ".join(links)}</nav>'
    )
