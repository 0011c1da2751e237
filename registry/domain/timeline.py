"""Status timelines: what took effect, not what was recorded last.

A status on a date is that of the latest change whose effective date is on or before it,
whatever the order the changes were recorded in (changes on the same day keep their recording
order). A change dated ahead is scheduled and takes effect on its date with no job to run.
A final step (``FINAL_STATUSES``) supersedes the steps scheduled after it when it came, but
another final one: they never take effect.
``known_at`` asks the same question as the registry knew it at that moment (bitemporal).

The functions take any step with a status, an effective date, a recorded time and a seq: the
``Step`` below, or a stored ``graph.models.StatusChange``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from graph.models import FINAL_STATUSES

__all__ = [
    "Dated",
    "Step",
    "every_step",
    "in_effect",
    "known",
    "next_after",
    "ordered",
    "scheduled",
    "status_on",
]


class Dated(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def effective_on(self) -> date: ...
    @property
    def recorded_at(self) -> str: ...
    @property
    def seq(self) -> int: ...


S = TypeVar("S", bound=Dated)


@dataclass(frozen=True, slots=True)
class Step:
    """One status change: effective date (when it counts), recorded time and its log seq
    (when the registry learned it)."""

    status: str
    effective_on: date
    recorded_at: str = ""
    seq: int = 0


def every_step(steps: Iterable[S]) -> list[S]:
    """Every step by effective date, then in recording order, superseded ones included:
    what the write rules judge a new step against."""
    return sorted(steps, key=lambda s: (s.effective_on, s.seq, s.recorded_at))


def ordered(steps: Iterable[S]) -> list[S]:
    """The timeline as it takes effect: ``every_step`` but the steps a final step supersedes:
    not final themselves (a scheduled withdrawal or revocation is a decision no other final
    step replaces), recorded before it and taking effect after it (scheduled when it came)."""
    timeline = every_step(steps)
    finals = [s for s in timeline if s.status in FINAL_STATUSES]
    if not finals:
        return timeline
    return [
        step
        for step in timeline
        if step.status in FINAL_STATUSES
        or not any(f.seq > step.seq and f.effective_on < step.effective_on for f in finals)
    ]


def known(steps: Iterable[S], known_at: str | None) -> list[S]:
    """The steps the registry had recorded at ``known_at`` (all of them when None)."""
    return [s for s in steps if known_at is None or s.recorded_at <= known_at]


def in_effect(steps: Iterable[S], day: date, *, known_at: str | None = None) -> S | None:
    """The change in force on ``day`` (as known at ``known_at``), or None before the first."""
    current: S | None = None
    for step in ordered(known(steps, known_at)):
        if step.effective_on > day:
            break
        current = step
    return current


def next_after(steps: Iterable[S], day: date) -> S | None:
    """The first change that takes effect after ``day``: the next scheduled one."""
    return next((s for s in ordered(steps) if s.effective_on > day), None)


def status_on(
    steps: Sequence[S], day: date, *, known_at: str | None = None, default: str | None = None
) -> str | None:
    found = in_effect(steps, day, known_at=known_at)
    return default if found is None else found.status


def scheduled(steps: Iterable[S], today: date) -> list[S]:
    """Changes recorded ahead of their effective date, not in force yet."""
    return [s for s in ordered(steps) if s.effective_on > today]
