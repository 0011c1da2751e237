"""The day a question is asked about (``asOf``), what the registry knew then (``knownAt``),
and the status steps of every timeline (certificates, accreditations, institutions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import strawberry
from strawberry.permission import BasePermission

from graph import models
from registry.context import Context
from registry.domain.lifecycle import LIMITS
from registry.domain.permissions import (
    covers,
    may_see_confidential,
    may_see_overdue_suspensions,
    may_see_status_actor,
)
from registry.domain.timeline import known, ordered
from registry.schema.errors import PublicError

__all__ = [
    "Moment",
    "SeesOverdueSuspensions",
    "StepFields",
    "SuspensionOverdue",
    "moment_of",
    "steps_as_known",
]

Info = strawberry.Info[Context, None]


@dataclass(frozen=True, slots=True)
class Moment:
    """The day a record is read on (``asOf``, default today) and, bitemporally, the moment
    whose knowledge it is read with (``known_at``, an ISO UTC time as changes record it)."""

    today: date
    day: date
    known_at: str | None = None

    @property
    def as_of(self) -> date | None:
        return None if self.day == self.today else self.day


def moment_of(info: Info, as_of: date | None = None, known_at: datetime | None = None) -> Moment:
    today = info.context.today
    if known_at is None:
        return Moment(today, as_of or today)
    if known_at.tzinfo is None:
        raise PublicError("INVALID_DATETIME", "knownAt needs a time zone, e.g. 2026-11-22T08:00Z")
    try:
        utc = known_at.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is a day before the calendar begins in UTC
        raise PublicError(
            "INVALID_DATETIME", "knownAt must fall within the years 1 to 9999 in UTC"
        ) from None
    return Moment(today, as_of or today, utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def steps_as_known(
    steps: Iterable[models.StatusChange], moment: Moment
) -> list[models.StatusChange]:
    """The steps known at the moment, in the order they take effect."""
    return ordered(known(steps, moment.known_at))


@strawberry.interface(description="One step of a status timeline.")
class StepFields:
    reason: str | None
    effective_on: date = strawberry.field(description="When it takes (or took) effect.")
    recorded_at: str = strawberry.field(
        description="When the registry learned of it (UTC); '' for steps kept from before "
        "histories were recorded."
    )
    scheduled: bool = strawberry.field(
        description="Recorded ahead of its effective date, and not in force yet today."
    )
    actor_name: strawberry.Private[str]
    record_region: strawberry.Private[str | None]  # the record's, for scopes and jurisdictions
    record_entity: strawberry.Private[str]

    @strawberry.field(
        description="Which credential recorded it (oversight and partners, within their "
        "jurisdiction or scope)."
    )
    async def actor(self, info: Info) -> str | None:
        if not may_see_status_actor(info.context.principal.role):
            return None
        access = await info.context.access()
        return self.actor_name if covers(access, self.record_region, self.record_entity) else None


class SeesOverdueSuspensions(BasePermission):
    """Oversight only, and a regulator only for certificates in its jurisdiction."""

    message = "overdue suspensions are shown to regulators only, within their jurisdiction"
    error_extensions = {"code": "NOT_AUTHORIZED"}  # noqa: RUF012 - strawberry's API

    async def has_permission(self, source: object, info: Info, **kwargs: object) -> bool:
        if not may_see_overdue_suspensions(info.context.principal.role):
            return False
        model = getattr(source, "model", None)
        region = model.region if isinstance(model, models.Certificate) else None
        return may_see_confidential(await info.context.access(), region)


@strawberry.type(
    description="A suspension that has lasted longer than the certificate's family allows "
    "(docs/lifecycle.md): it should have been lifted or the certificate withdrawn."
)
class SuspensionOverdue:
    code: str
    since: date = strawberry.field(description="When the suspension began.")
    limit_months: int

    @classmethod
    def of(cls, family: str, since: date) -> SuspensionOverdue:
        return cls(
            code="SUSPENSION_OVERDUE",
            since=since,
            limit_months=LIMITS[family].max_suspension_months,
        )
