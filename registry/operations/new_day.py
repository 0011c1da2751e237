"""The work each new registry day brings, each part done once among the processes sharing a
store.

Records and scores are kept as of the day they were last written, yet both depend on the
day: a status step recorded ahead of its date takes effect on that date, and a score's
inputs (a rating's validity, a publicity period, the last year's evaluations) lapse as days
come. Reads answer for the day asked either way; what is stored (documents that exports,
snapshots and mirrors carry; the scores the ranking orders) is brought up to the new day here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.port import GraphStore
from registry.operations.credit import rescore_moved

__all__ = ["STEPS_ACTOR", "NewDay", "new_day"]

STEPS_ACTOR = "system:timeline"


@dataclass(frozen=True, slots=True)
class NewDay:
    """What a look at the day wrote: records whose step took effect, and the scores that
    moved (None when the day's rescore was claimed already)."""

    steps: int
    scores: int | None


async def new_day(store: GraphStore, today: date) -> NewDay:
    """Write the steps that took effect by ``today`` into their records' documents (at every
    look: any process may, each step is written once, and a look that failed is made up by
    the next); then, first to claim ``today`` on the change counter, the scores that moved
    (after the steps: scores read them)."""
    steps = await store.bring_steps_into_force(today, actor=STEPS_ACTOR)
    if not await store.claim_rescore(today):
        return NewDay(steps=steps, scores=None)
    return NewDay(steps=steps, scores=await rescore_moved(store, today))
