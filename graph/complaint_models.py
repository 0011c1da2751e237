"""What the port keeps and returns about a complaint's lifecycle: its steps, an advance to
write, and the counts the public summary shows (``graph.models.Complaint`` is the record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ComplaintAdvance", "ComplaintStep", "ComplaintTally", "ComplaintTallyQuery"]


@dataclass(frozen=True, slots=True)
class ComplaintStep:
    """One step of a complaint: the status it took, the day, who took it and why;
    ``recorded_at`` is the time of its change (UTC), set by the store."""

    status: str
    on: date
    actor: str
    reason: str | None = None
    substantiated: bool | None = None
    recorded_at: str = ""


@dataclass(frozen=True, slots=True)
class ComplaintAdvance:
    """A step to append to a stored complaint, with the fields it sets (each left alone
    when None)."""

    id: str
    step: ComplaintStep
    accepted_on: date | None = None
    closed_on: date | None = None
    substantiated: bool | None = None
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintTallyQuery:
    """What to count on ``day``: open statuses, and when a complaint is overdue (a RECEIVED
    one filed before ``filed_before``; one in ``handling`` accepted, else filed, before
    ``accepted_before``). The registry's domain decides these; the store only compares."""

    day: date
    open_statuses: tuple[str, ...]
    handling: tuple[str, ...]
    filed_before: date
    accepted_before: date


@dataclass(frozen=True, slots=True)
class ComplaintTally:
    """Counts of the complaints against one institution filed in one year: all received,
    still open, open past their due day (on the day asked for), found substantiated."""

    institution: str
    year: int
    received: int
    open: int
    overdue: int
    substantiated: int
