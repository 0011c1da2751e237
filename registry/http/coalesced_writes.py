"""uvicorn's HTTP protocol (with the header deadline) writing each answer in one system call.

uvicorn writes a response's status line and headers as soon as the app sends its start, and
the body when it sends that: two writes, two system calls, two segments on the wire. On a
small answer they were a third of the server's CPU (a cached lookup: ~40 µs each on
loopback). Here the writes one turn of the event loop makes are joined and leave at the end
of the turn; a write that would make the pending bytes pass ``FLUSH_BYTES`` goes at once,
so large streams (the exports) keep the transport's own flow control. Bytes and their order
are unchanged; only how they are cut into system calls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from registry.http.header_deadline import HeaderDeadlineProtocol

__all__ = ["FLUSH_BYTES", "CoalescedWrites", "ServingProtocol"]

FLUSH_BYTES = 16 * 1024


class CoalescedWrites:
    """A transport whose writes within one turn of the loop leave together; everything
    else is the wrapped transport's."""

    __slots__ = ("_loop", "_pending", "_size", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if self._pending is None:
            if len(data) >= FLUSH_BYTES:
                self.transport.write(data)
                return
            self._pending, self._size = [bytes(data)], len(data)
            self._loop.call_soon(self.flush)
            return
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what is pending now (a closed transport takes nothing more)."""
        pending, self._pending = self._pending, None
        if pending and not self.transport.is_closing():
            self.transport.write(b"".join(pending))

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class ServingProtocol(HeaderDeadlineProtocol):
    """The protocol ``registry serve`` runs: the header deadline, and coalesced writes."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalesced = CoalescedWrites(transport, self.loop)
        super().connection_made(coalesced)  # type: ignore[arg-type]

    def handle_websocket_upgrade(self) -> None:
        """A WebSocket gets the plain transport (its library writes frames as it likes)."""
        if isinstance(self.transport, CoalescedWrites):
            self.transport.flush()
            self.transport = self.transport.transport
        super().handle_websocket_upgrade()
