"""Bring the embedded FalkorDB server back after it went away, without restarting the app.

Why: under ``appendfsync always`` the server exits rather than serve a write it could not put
on disk (a full disk), and a store whose server is gone answers nothing. Each failed call asks
for a revival; one attempt runs at a time, in the background (loading a large graph takes
minutes, and no request should wait for it), at most every ``interval`` seconds, so a disk
that stays full costs one failed start per interval. Once there is room again the next
attempt starts the server from disk and the store serves again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import Context

from graph.embedded import EmbeddedServer, EmbeddedServerError

__all__ = ["REVIVE_INTERVAL", "Revival"]

REVIVE_INTERVAL = 5.0
"""Seconds between attempts to start a server that went away."""

log = logging.getLogger("registry.store")


class Revival:
    """Starts ``server`` again from disk when asked, one attempt at a time, at most every
    ``interval`` seconds; ``revived`` runs after a successful start (to drop dead
    connections)."""

    def __init__(
        self,
        server: EmbeddedServer,
        *,
        revived: Callable[[], Awaitable[None]],
        interval: float = REVIVE_INTERVAL,
    ) -> None:
        self._server = server
        self._revived = revived
        self._interval = interval
        self._next_attempt = 0.0
        self._attempt: asyncio.Task[None] | None = None
        self.failed = False
        """Whether the last attempt could not start the server."""

    @property
    def in_progress(self) -> bool:
        return self._attempt is not None and not self._attempt.done()

    def request(self) -> None:
        """Ask for an attempt; ignored while one runs or within the interval of the last."""
        now = time.monotonic()
        if self.in_progress or now < self._next_attempt:
            return
        self._next_attempt = now + self._interval
        # A context of its own: the attempt belongs to no request (nor to its log lines).
        attempt = self._revive()
        self._attempt = asyncio.get_running_loop().create_task(attempt, context=Context())

    async def wait(self) -> None:
        """Until the attempt under way (if any) has ended."""
        if self._attempt is not None:
            await asyncio.shield(self._attempt)

    async def close(self) -> None:
        if self._attempt is not None:
            self._attempt.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._attempt
            self._attempt = None

    async def _revive(self) -> None:
        try:
            started = await self._server.revive()
        except (EmbeddedServerError, OSError) as exc:
            self.failed = True
            log.warning("the store's server could not be started again: %s", exc)
            return
        self.failed = False
        if started:
            log.warning("the store's server had stopped; started it again from disk")
        await self._revived()
