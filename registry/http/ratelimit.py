"""Per-client rate limits: a sliding one-minute window of weighted hits.

Kept in process memory: with several workers each enforces its own share, which bounds a
client at workers x limit; good enough against harvesting, and no extra moving part.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimiter"]

_WINDOW = 60.0


@dataclass
class RateLimiter:
    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[tuple[float, int]]] = field(default_factory=dict)
    _used: dict[str, int] = field(default_factory=dict)

    def acquire(self, client: str, cost: int = 1) -> float:
        """Count ``cost`` hits for ``client``; 0.0 when allowed, else seconds to wait."""
        now = self.clock()
        hits = self._hits.setdefault(client, deque())
        used = self._used.get(client, 0)
        while hits and hits[0][0] <= now - _WINDOW:
            used -= hits.popleft()[1]
        self._used[client] = used
        if used + cost > self.per_minute:
            if not hits:
                return _WINDOW
            return max(0.001, math.ceil((hits[0][0] + _WINDOW - now) * 1000) / 1000)
        hits.append((now, cost))
        self._used[client] = used + cost
        if len(self._hits) > 100_000:  # forget idle clients rather than grow without bound
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1][0] <= now - _WINDOW]:
            del self._hits[client]
            self._used.pop(client, None)
