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
    """Where a walk stands after an item: its position (1-based), rank and score."""

    position: int
    rank: int | None
    score: float | None


def continue_ranks(scores: Sequence[float | None], *, before: RankState | None) -> list[RankState]:
    """Ranks for the next items (scores, best first, the unrated as None): equal scores share
    a rank (1, 1, 3); an unrated item has none."""
    states: list[RankState] = []
    last = before
    for score in scores:
        position = 1 if last is None else last.position + 1
        if score is None:
            rank = None
        elif last is not None and last.rank is not None and score == last.score:
            rank = last.rank
        else:
            rank = position
        last = RankState(position, rank, score)
        states.append(last)
    return states
