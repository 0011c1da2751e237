"""One certificate scan at a time in a process, for anonymous callers and for callers with
a key, each in their own lane. The reads that judge every certificate an issuer issued
(supervision findings, data-quality anomalies, the anomaly list) hold a core for as long as
the issuers' records are long: twenty anonymous requests for the classes of 100 bodies at
once held the server 30 s, and every request beside them waited seconds or timed out; with
one lane, the same flood made a regulator's anomaly report wait 29 s (twenty-fifth
session's reviews). In turn, scans of a lane wait for each other, and between their pages
the loop serves everything else."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from contextvars import ContextVar

__all__ = ["one_scan_at_a_time", "scan_for_key_holder"]

# Whether the request being served came with a key: set by the HTTP gate on every request
# (a page served without one scans in the anonymous lane).
_KEYED: ContextVar[bool] = ContextVar("scan_for_key_holder", default=False)
# One pair of gates per event loop: a semaphore is bound to the loop it first waited on.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[bool, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def scan_for_key_holder(keyed: bool) -> None:
    """Scans made for the rest of this request run in the lane of callers with a key."""
    _KEYED.set(keyed)


@contextlib.asynccontextmanager
async def one_scan_at_a_time() -> AsyncIterator[None]:
    """Hold this caller's lane of the process's scan gate (scans never nest)."""
    loop = asyncio.get_running_loop()
    gates = _GATES.get(loop)
    if gates is None:
        gates = _GATES[loop] = {False: asyncio.Semaphore(1), True: asyncio.Semaphore(1)}
    async with gates[_KEYED.get()]:
        yield
