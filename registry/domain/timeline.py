"""Status timelines: what took effect, not what was recorded last.

A status on a date is that of the latest change whose effective date is on or before it,
whatever the order the changes were recorded in (changes on the same day keep their recording
order). A change dated ahead is scheduled and takes effect on its date with no job to run.
``known_at`` asks the same question as the registry knew it at that moment (bitemporal).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Step", "in_effect", "ordered", "scheduled", "status_on"]


@dataclass(frozen=True, slots=True)
class Step:
    """One status change: effective date (when it counts), recorded time and its log seq
    (when the registry learned it)."""

    status: str
    effective_on: date
    recorded_at: str = ""
    seq: int = 0


def ordered(steps: Iterable[Step]) -> list[Step]:
    """The timeline as it takes effect: by effective date, then in recording order."""
    return sorted(steps, key=lambda s: (s.effective_on, s.seq, s.recorded_at))


def _known(steps: Iterable[Step], known_at: str | None) -> list[Step]:
    return [s for s in steps if known_at is None or s.recorded_at <= known_at]


def in_effect(steps: Iterable[Step], day: date, *, known_at: str | None = None) -> Step | None:
    """The change in force on ``day`` (as known at ``known_at``), or None before the first."""
    current: Step | None = None
    for step in ordered(_known(steps, known_at)):
        if step.effective_on > day:
            break
        current = step
    return current


def status_on(
    steps: Sequence[Step], day: date, *, known_at: str | None = None, default: str | None = None
) -> str | None:
    found = in_effect(steps, day, known_at=known_at)
    return default if found is None else found.status


def scheduled(steps: Iterable[Step], today: date) -> list[Step]:
    """Changes recorded ahead of their effective date, not in force yet."""
    return [s for s in ordered(steps) if s.effective_on > today]
