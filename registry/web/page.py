"""The HTML shell of the public pages: one inline stylesheet, strict headers, no scripts.

The stylesheet is allowed by its hash, so the Content-Security-Policy needs no
'unsafe-inline' and a page that somehow carried injected markup still could not run it.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from starlette.responses import HTMLResponse

__all__ = [
    "bilingual",
    "definitions",
    "html_page",
    "not_found_page",
    "section",
    "store_unavailable_page",
    "table",
    "text",
]

_CSS = """
:root { color: #1a1a1a; background: #fafafa; font-family: system-ui, -apple-system,
  "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 48rem; padding: 1rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; border-bottom: 1px solid #ccc; }
.en { color: #444; font-size: 0.9em; }
button .en, .verdict .en, .signature .en, a .en, .notice .en { color: inherit; }
form { display: grid; gap: 0.4rem; }
label { font-weight: 600; margin-top: 0.6rem; }
select { width: 100%; }
input { font: inherit; padding: 0.6rem; border: 2px solid #555; border-radius: 4px;
  background: #fff; color: #1a1a1a; width: 100%; box-sizing: border-box; }
input:focus, button:focus, a:focus { outline: 3px solid #0b57d0; outline-offset: 2px; }
button { font: inherit; font-weight: 600; margin-top: 1rem; padding: 0.7rem; border: 0;
  border-radius: 4px; background: #0b3d91; color: #fff; cursor: pointer; }
a { color: #0b3d91; }
.notice { border-left: 6px solid #8a5a00; background: #fff4e0; padding: 0.6rem 0.8rem; }
.verdict { border: 3px solid; border-left-width: 12px; border-radius: 4px; padding: 0.8rem 1rem; }
.verdict .word { font-size: 1.8rem; font-weight: 700; margin: 0; }
.verdict p { margin: 0.2rem 0; }
.signature { border: 2px solid; border-left-width: 8px; border-radius: 4px;
  padding: 0.5rem 0.8rem; margin-bottom: 1rem; }
.signature p { margin: 0.2rem 0; }
.valid { border-color: #1e7b34; background: #e6f4ea; color: #0d4a1e; }
.not-valid { border-color: #b3261e; background: #fce8e6; color: #7a1510; }
.not-found { border-color: #5f6368; background: #eeeeee; color: #2b2b2b; }
.mismatch { border-color: #c25e00; background: #fff0e0; color: #6b3200; }
dl { display: grid; grid-template-columns: minmax(8rem, 40%) 1fr; gap: 0.3rem 0.8rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 32rem) {
  dl { grid-template-columns: 1fr; gap: 0; }
  dd { margin: 0 0 0.6rem; }
}
.stars { color: #8a5a00; letter-spacing: 0.1em; }
ul.warnings { padding-left: 1.2rem; }
ul.warnings li { margin-bottom: 0.5rem; }
code { font-size: 0.85em; color: #444; }
footer { margin-top: 2rem; font-size: 0.9rem; }
svg.chart { display: block; max-width: 36rem; height: auto; margin: 0.5rem 0 1rem; }
.grade-line { font-size: 1.1rem; }
.grade { display: inline-block; min-width: 2.2rem; text-align: center; font-size: 1.6rem;
  font-weight: 700; border: 2px solid #0b3d91; border-radius: 4px; color: #0b3d91; }
ol.timeline, ul.plain { padding-left: 1.2rem; }
ol.timeline li, ul.plain li { margin-bottom: 0.3rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #ccc;
  vertical-align: top; }
th { font-weight: 600; background: #eeeeee; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
nav.pages { display: flex; gap: 1rem; margin: 1rem 0; flex-wrap: wrap; }
form.filters { grid-template-columns: minmax(0, 1fr); }
select { font: inherit; padding: 0.5rem; border: 2px solid #555; border-radius: 4px;
  background: #fff; color: #1a1a1a; }
"""
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def text(value: object) -> str:
    """Any value as HTML text, quotes included, so it is safe in attributes as well."""
    return escape(str(value), quote=True)


def bilingual(chinese: str, english: str) -> str:
    """Chinese first, then English marked as such (for screen readers and the lighter style)."""
    return f'{text(chinese)} <span class="en" lang="en">{text(english)}</span>'


def section(section_id: str, chinese: str, english: str, content: str) -> str:
    """A titled section of a page, labelled by its heading for screen readers."""
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-title">\n'
        f'<h2 id="{section_id}-title">{bilingual(chinese, english)}</h2>\n{content}\n</section>'
    )


def definitions(rows: list[tuple[str, str, str]]) -> str:
    """Label pairs (Chinese, English) and values (already markup) as a definition list."""
    items = "".join(f"<dt>{bilingual(zh, en)}</dt>\n<dd>{value}</dd>\n" for zh, en, value in rows)
    return f"<dl>\n{items}</dl>"


def table(
    heads: list[tuple[str, str]],
    rows: list[list[str]],
    *,
    table_id: str,
    label: tuple[str, str],
    numeric: frozenset[int] = frozenset(),
) -> str:
    """A table with bilingual column heads and cells already markup (columns in ``numeric``
    aligned right). It scrolls sideways on a narrow screen rather than widening the page, and
    the scrolling box is focusable and named so a keyboard can scroll it too."""

    def cell(tag: str, index: int, content: str) -> str:
        css = ' class="number"' if index in numeric else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{css}{scope}>{content}</{tag}>"

    header = "".join(cell("th", i, bilingual(zh, en)) for i, (zh, en) in enumerate(heads))
    body = "".join(
        "<tr>" + "".join(cell("td", i, content) for i, content in enumerate(row)) + "</tr>\n"
        for row in rows
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" '
        f'aria-label="{text(f"表格：{label[0]} Table: {label[1]}")}">'
        f'<table id="{table_id}">\n<thead><tr>{header}</tr></thead>\n'
        f"<tbody>\n{body}</tbody></table></div>"
    )


def html_page(title: str, body: str, *, status_code: int = 200) -> HTMLResponse:
    """A complete page; ``title`` is escaped here, ``body`` must already be markup."""
    document = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(document, status_code=status_code, headers=_HEADERS)


def not_found_page(words: tuple[str, str], key: str) -> HTMLResponse:
    """404 for people: nothing is registered under ``key``."""
    body = f"<h1>{bilingual(*words)}</h1>\n<p><code>{text(key)}</code></p>"
    return html_page(f"404 · {key}", body, status_code=404)


def store_unavailable_page(retry_after: str) -> HTMLResponse:
    """503 for people: the registry cannot answer now (its database is unavailable)."""
    notice = bilingual(
        "登记系统暂时无法查询，请稍后再试。",
        "The registry cannot answer right now; try again shortly.",
    )
    body = f'<h1>{notice}</h1>\n<p class="notice"><code>STORE_UNAVAILABLE</code></p>'
    page = html_page("STORE_UNAVAILABLE", body, status_code=503)
    page.headers["Retry-After"] = retry_after
    return page
