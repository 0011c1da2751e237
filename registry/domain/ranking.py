"""Competition ranks over pages that stay consistent while scores change.

A ranking is read as the scores stood at one change seq (the first page pins it), so the
pages of one walk never repeat nor skip an institution; ranks continue from the previous
page's last one, so no page needs to count what came before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["PIN_RETENTION", "RankState", "continue_ranks"]

# How long a pinned walk may go on: the scores it reads are kept this long after they change.
PIN_RETENTION = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class RankState:
    """Where a walk stands after an item: its position (1-based), rank and ranking key."""

    position: int
    rank: int | None
    sort: float


def continue_ranks(sorts: Sequence[float], *, before: RankState | None) -> list[RankState]:
    """Ranks for the next items (ranking keys, best first): ties share a rank (1, 1, 3); an
    unrated item (key below 0) has none."""
    states: list[RankState] = []
    last = before
    for sort in sorts:
        position = 1 if last is None else last.position + 1
        if sort < 0:
            rank = None
        elif last is not None and last.rank is not None and sort == last.sort:
            rank = last.rank
        else:
            rank = position
        last = RankState(position, rank, sort)
        states.append(last)
    return states
