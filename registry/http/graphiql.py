"""GraphiQL in development, served by the registry itself: no CDN, so it works offline and
where unpkg cannot be reached.

React, ReactDOM and GraphiQL are the npm packages pinned in ``clients/graphiql``;
``scripts/install-graphiql`` copies their UMD builds into ``graphiql_assets/vendor``. The
page has no inline script or style, so its Content-Security-Policy allows only this origin.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

__all__ = ["ASSETS", "ASSETS_PATH", "graphiql_page", "graphiql_routes"]

ASSETS = Path(__file__).with_name("graphiql_assets")
ASSETS_PATH = "/graphiql"
_VENDOR = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")

_SCRIPTS = "\n".join(
    f'<script src="{ASSETS_PATH}/{name}"></script>'
    for name in (*(f"vendor/{vendored}" for vendored in _VENDOR), "boot.js")
)
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Quality Registry</title>
<link rel="stylesheet" href="{ASSETS_PATH}/vendor/graphiql.min.css">
<link rel="stylesheet" href="{ASSETS_PATH}/graphiql.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
{_SCRIPTS}
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body><p>GraphiQL's files are not installed: run <code>scripts/install-graphiql</code>
(it needs npm) and reload.</p></body></html>
"""

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def graphiql_page() -> HTMLResponse:
    """The IDE page, or a page saying how to install its files (503) when they are missing."""
    if not all((ASSETS / "vendor" / name).is_file() for name in _VENDOR):
        return HTMLResponse(_MISSING, status_code=503, headers=_HEADERS)
    return HTMLResponse(_PAGE, headers=_HEADERS)


def graphiql_routes() -> list[Mount]:
    """The page's scripts and styles, from this origin."""
    return [Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS, check_dir=False))]
