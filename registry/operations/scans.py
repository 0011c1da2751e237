"""One certificate scan at a time in a process. The reads that judge every certificate an
issuer issued (supervision findings, data-quality anomalies, the anomaly list) hold a core
for as long as the issuers' records are long: twenty anonymous requests for the classes of
100 bodies at once held the server 30 s, and every request beside them waited seconds or
timed out (twenty-fifth session's review). In turn, scans wait for each other, and between
their pages the loop serves everything else."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

__all__ = ["one_scan_at_a_time"]

# One gate per event loop: a semaphore is bound to the loop it first waited on.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def one_scan_at_a_time() -> AsyncIterator[None]:
    """Hold the process's scan gate (scans never nest: none calls another)."""
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(1)
    async with gate:
        yield
