"""The work each new registry day brings, done once by one of the processes sharing a store.

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
    """What a new day's work wrote: records whose step took effect, scores that moved."""

    steps: int
    scores: int


async def new_day(store: GraphStore, today: date) -> NewDay | None:
    """Claim ``today`` on the change counter, then write the steps that took effect by it
    into their records' documents (first: the scores read them) and the scores that moved.
    None when the day was claimed already."""
    if not await store.claim_rescore(today):
        return None
    steps = await store.bring_steps_into_force(today, actor=STEPS_ACTOR)
    return NewDay(steps=steps, scores=await rescore_moved(store, today))
