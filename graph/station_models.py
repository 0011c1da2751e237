"""What the port returns about one-stop quality service stations, their requests and the
service benchmarks (DB2101/T 0050-2022; the SAMR service-benchmark programme)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "CONFIDENTIAL_REQUEST_FIELDS",
    "Benchmark",
    "RequestTally",
    "ServiceRequest",
    "ServiceStation",
]


@dataclass(frozen=True, slots=True)
class ServiceStation:
    """A station's catalogue and staff. ``routes`` pair a category with a provider it routes
    to, as ``CATEGORY:USCC``; ``staff_names`` run parallel to ``staff_roles`` and are
    personal data ('' when not given). ``name`` and ``region`` are the institution's (read)."""

    uscc: str
    services: tuple[str, ...]
    routes: tuple[str, ...] = ()
    staff_roles: tuple[str, ...] = ()
    staff_names: tuple[str, ...] = ()
    completion_days: int | None = None
    version: int = 0
    name: str = ""
    region: str = ""

    def providers_of(self, category: str) -> tuple[str, ...]:
        """The institutions the catalogue routes ``category`` to, in order."""
        return tuple(
            provider
            for item, _, provider in (route.partition(":") for route in self.routes)
            if item == category
        )

    @property
    def providers(self) -> frozenset[str]:
        """Every institution the catalogue routes anything to."""
        return frozenset(route.partition(":")[2] for route in self.routes)


# Never in the feed, a snapshot or a public view (§9.3.3: enterprise information is kept
# confidential): who asked, what for, how to reach them, and the token's digest.
CONFIDENTIAL_REQUEST_FIELDS = frozenset(
    {"demand", "enterprise", "enterpriseUscc", "contact", "tokenDigest", "reason", "summary"}
)


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """An enterprise's demand (Annex A) as it moves through the process: the day of each step
    (``*_on``: the registry's calendar, which the time limits count) and when it was recorded
    (``*_at``: UTC). ``due_by`` is the last day of the open stage; ``stages_met`` and
    ``stages_late`` count the closed stages against their limits, in the station's record
    from ``confirmed_on``, when its regulator confirmed who asked."""

    id: str
    station: str
    category: str
    status: str
    submitted_on: dt.date
    submitted_at: str
    demand: str = ""
    enterprise: str = ""
    enterprise_uscc: str | None = None
    contact: str = ""
    token_digest: str = ""
    provider: str | None = None
    matched_on: dt.date | None = None
    matched_at: str | None = None
    in_service_on: dt.date | None = None
    in_service_at: str | None = None
    done_on: dt.date | None = None
    done_at: str | None = None
    rejected_on: dt.date | None = None
    rejected_at: str | None = None
    reason: str | None = None
    summary: str | None = None
    stage_since: dt.date | None = None
    due_by: dt.date | None = None
    stages_met: int = 0
    stages_late: int = 0
    evaluation: str | None = None
    evaluated_on: dt.date | None = None
    confirmed_on: dt.date | None = None  # the regulator confirmed who asked: stages count
    confirmation: str | None = None
    # The station's completionDays when it was asked: what the enterprise was promised.
    committed_days: int | None = None
    version: int = 0
    region: str = ""  # the station's region (read)


@dataclass(frozen=True, slots=True)
class RequestTally:
    """A station's requests submitted in a window, counted by a store aggregation: how many,
    how many done, stages met and late, and stages open past their limit on the day asked.
    The stages are those of confirmed requests; ``unconfirmed`` counts the others."""

    uscc: str
    requests: int = 0
    done: int = 0
    met: int = 0
    late: int = 0
    overdue: int = 0
    unconfirmed: int = 0
    rejected: int = 0  # refused (§7.2 否定备案制): handled in time, yet nothing was served


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A service benchmark (服务标杆) a regulator designated: who, in which category and year,
    on what criteria. ``stars`` (best valid service certificate) and ``cpsq`` (the customer-
    perceived service quality index of an assessment, when one exists) are read as evidence;
    ``name`` and ``region`` are the subject's as designated."""

    id: str
    uscc: str
    category: str
    year: int
    criteria: str
    designated_on: dt.date
    designated_by: str
    name: str = ""
    region: str = ""
    version: int = 0
    stars: int | None = None
    cpsq: float | None = None
