"""One-stop quality service stations (DB2101/T 0050-2022): the request process as data,
its time limits (限时办结) in working days, and the station's performance.

The standard names the process (§6: demand, matching, tracking, evaluation; Annex B) and
requires committed time limits (§4.2.1, §7.2: 限时办结, 服务承诺制) without giving figures:
"where no rule fixes a limit, set a reasonable one by similar services". The figures below
are therefore the registry's assumption, marked as such (docs/service-stations.md); a station
publishes its own completion commitment, which replaces the default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from registry.domain.vocabulary import ServiceRequestStatus, StationRole

__all__ = [
    "ANSWER_DAYS",
    "DEFAULT_COMPLETION_DAYS",
    "REQUIRED_ROLES",
    "START_DAYS",
    "TERMINAL",
    "TRANSITIONS",
    "StageTally",
    "add_working_days",
    "due_by",
    "form_id",
    "illegal_transition",
    "is_form_id",
    "is_overdue",
    "stage_limit",
]

_S = ServiceRequestStatus

# Which status may follow which. MATCHED -> MATCHED is a new match when the provider cannot
# serve (§6.2.3: 再次择优匹配); a refusal is filed with its reason (§7.2: 否定备案制).
TRANSITIONS: Mapping[ServiceRequestStatus, frozenset[ServiceRequestStatus]] = {
    _S.SUBMITTED: frozenset({_S.MATCHED, _S.REJECTED}),
    _S.MATCHED: frozenset({_S.MATCHED, _S.IN_SERVICE, _S.REJECTED}),
    _S.IN_SERVICE: frozenset({_S.DONE}),
    _S.DONE: frozenset(),
    _S.REJECTED: frozenset(),
}
TERMINAL = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)

# ASSUMED (the standard gives no figure): working days a stage may last.
ANSWER_DAYS = 2  # SUBMITTED: accept and answer (受理, 答复: Annex C's timestamps), 一次告知
START_DAYS = 5  # MATCHED: the matched provider starts the service
DEFAULT_COMPLETION_DAYS = 20  # IN_SERVICE, unless the station commits to another figure

# A request's Annex C form is kept as a service evaluation under its request's id and this
# suffix; such ids are the requester's alone (``is_form_id``).
_FORM = re.compile(r"SR-[0-9a-f]{16}-C")


def form_id(request_id: str) -> str:
    """The id of the Annex C form the requester of ``request_id`` fills in."""
    return f"{request_id}-C"


def is_form_id(evaluation_id: str) -> bool:
    """Whether ``evaluation_id`` is (or would be) some request's Annex C form: recorded by
    anyone else first, it took the requester's place (twenty-third session's review)."""
    return _FORM.fullmatch(evaluation_id) is not None


# 9.2.1 服务站应设立站长; 9.2.2 至少一名质量服务专员.
REQUIRED_ROLES = frozenset({StationRole.STATION_MASTER, StationRole.SERVICE_SPECIALIST})


def illegal_transition(current: ServiceRequestStatus, wanted: ServiceRequestStatus) -> str | None:
    """Why a request may not go from ``current`` to ``wanted`` (None: it may)."""
    if wanted in TRANSITIONS[current]:
        return None
    allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is closed)"
    return f"a {current.value} request may move to {allowed}, not {wanted.value}"


def add_working_days(day: date, days: int) -> date:
    """``days`` working days after ``day``, Monday to Friday. ASSUMED: China's public
    holidays and the weekends worked in their place are not modelled."""
    current = day
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def stage_limit(status: ServiceRequestStatus, completion_days: int | None) -> int | None:
    """Working days the stage ``status`` may last (None: a closed request has no limit)."""
    if status is _S.SUBMITTED:
        return ANSWER_DAYS
    if status is _S.MATCHED:
        return START_DAYS
    if status is _S.IN_SERVICE:
        return completion_days or DEFAULT_COMPLETION_DAYS
    return None


def due_by(status: ServiceRequestStatus, since: date, completion_days: int | None) -> date | None:
    """The last day the stage entered on ``since`` may last."""
    limit = stage_limit(status, completion_days)
    return None if limit is None else add_working_days(since, limit)


def is_overdue(due: date | None, today: date) -> bool:
    """A stage still open after its last day is overdue."""
    return due is not None and today > due


@dataclass(frozen=True, slots=True)
class StageTally:
    """Time-limit compliance over a window: stages ended within their limit, ended late, and
    still open past it; with the satisfaction index of the station's Annex C forms."""

    requests: int = 0
    done: int = 0
    met: int = 0
    late: int = 0
    overdue: int = 0
    rejected: int = 0

    @property
    def compliance(self) -> float | None:
        """Percent of due stages handled within their limit (None: nothing was due)."""
        due = self.met + self.late + self.overdue
        return None if due == 0 else round(100.0 * self.met / due, 1)
