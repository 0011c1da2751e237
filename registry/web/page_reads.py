"""The pages read through the GraphQL schema itself, in the process: the same resolvers, the
same field and object authorization, the same scopes, so a page never shows what the API
would refuse the same key.

A caller identifies itself as it does to the API (``Authorization: Bearer <key>``); without
one it is the public. A refused field comes back as its error code, and the page says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from graph.errors import BackendUnavailable
from registry.auth import ANONYMOUS, InvalidCredentials, Principal, authenticate
from registry.context import Context
from registry.http.runtime import client_address
from registry.loaders import Loaders
from registry.resolvers.root import build_schema
from registry.web.page import bilingual, html_page

if TYPE_CHECKING:
    from registry.http.runtime import Runtime

__all__ = ["PageRead", "PageReader", "public_reader", "reader_for"]


@dataclass(frozen=True, slots=True)
class PageRead:
    """What one operation answered: its data, and the code of each refused or failed path
    (``"institution.issuedCertificates"`` → ``"NOT_AUTHORIZED"``)."""

    data: dict[str, Any]
    refused: dict[str, str] = field(default_factory=dict)


class PageReader:
    """One caller's reads for one page request (one set of loaders, one principal)."""

    def __init__(self, runtime: Runtime, schema: strawberry.Schema, principal: Principal) -> None:
        self.runtime = runtime
        self.principal = principal
        store = runtime.open_store
        today = runtime.today()
        self.context = Context(
            store=store,
            settings=runtime.settings,
            principal=principal,
            loaders=Loaders.for_request(store, today),
            request_id=uuid.uuid4().hex,
            today=today,
            metrics=runtime.metrics,
        )
        self._schema = schema

    @property
    def keyed(self) -> bool:
        return self.principal.key_id is not None

    async def read(self, query: str, variables: dict[str, Any] | None = None) -> PageRead:
        """Run ``query``; a store outage is raised (the app answers 503), anything else the
        schema refused is kept by path."""
        result = await self._schema.execute(
            query, variable_values=variables or {}, context_value=self.context
        )
        refused: dict[str, str] = {}
        for error in result.errors or []:
            code = (error.extensions or {}).get("code", "INTERNAL_ERROR")
            if code == BackendUnavailable.code:
                raise BackendUnavailable(error.message)
            path = ".".join(str(part) for part in error.path or ())
            refused[path] = str(code)
        return PageRead(data=dict(result.data or {}), refused=refused)


async def reader_for(request: Request) -> PageReader | Response:
    """A reader for the caller, or the page that refuses it: an unknown, revoked or expired
    key (401), or a caller past its requests for the minute (429)."""
    runtime: Runtime = request.app.state.runtime
    try:
        principal = await authenticate(runtime.open_store, request.headers.get("authorization"))
    except InvalidCredentials:
        words = bilingual("访问密钥无效。", "The API key is not valid.")
        return html_page("401", f"<h1>{words}</h1>", status_code=401)
    limited = runtime.over_limit(client_address(request), principal)
    if limited is not None:
        words = bilingual("请求过于频繁，请稍后再试。", "Too many requests; try again shortly.")
        page = html_page("429", f"<h1>{words}</h1>", status_code=429)
        page.headers["Retry-After"] = limited.headers.get("Retry-After", "60")
        return page
    return PageReader(runtime, _schema(request), principal)


def public_reader(request: Request) -> PageReader:
    """A reader as the public, whoever asks: for a page that answers everyone alike (the
    verify page, whose allowance the page itself keeps)."""
    return PageReader(request.app.state.runtime, _schema(request), ANONYMOUS)


def _schema(request: Request) -> strawberry.Schema:
    """The schema the pages read through, built once per app."""
    schema: strawberry.Schema | None = getattr(request.app.state, "page_schema", None)
    if schema is None:
        runtime: Runtime = request.app.state.runtime
        schema = build_schema(runtime.settings, runtime.documents)
        request.app.state.page_schema = schema
    return schema
