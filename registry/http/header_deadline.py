"""uvicorn's HTTP protocol with a deadline for each request's headers.

uvicorn arms no timer while a request's headers arrive, only between requests (keep-alive):
a client that sends its headers a byte every few seconds, or sends nothing at all, keeps
its connection for as long as it likes, and a few hundred such clients hold every
connection the process can serve (slowloris). Here a connection must send a request's
whole head within ``Settings.header_timeout_seconds`` of opening, and each later request
within that time of its first byte, or it is closed. Bodies are bounded by the request
timeout of the routes that read them (``GraphQLGate``).
"""

from __future__ import annotations

import asyncio
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from registry.settings import Settings

__all__ = ["HeaderDeadlineProtocol", "header_timeout"]


@cache
def header_timeout() -> float:
    """Read once per process: ``registry serve`` hands its settings to its workers through
    the environment."""
    return Settings().header_timeout_seconds


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete in time."""

    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(header_timeout(), self._too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
