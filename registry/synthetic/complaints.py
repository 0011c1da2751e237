"""Complaints against institutions, a fifth of them naming a certificate of the issuer."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Final

from graph.models import Certificate, Complaint
from registry.domain.vocabulary import ComplaintChannel, ComplaintStatus
from registry.synthetic.catalogue import RATED
from registry.synthetic.common import BATCH, random_stream
from registry.synthetic.roster import Roster

__all__ = ["iter_complaint_batches"]

_COMPLAINT_CATEGORIES: Final = (
    "检测报告数据不实",
    "报告出具超期",
    "收费争议",
    "服务态度",
    "样品丢失或损坏",
)
_CERTIFICATE_CATEGORIES: Final = ("证书真实性存疑", "获证产品质量与证书不符", "证书暂停后仍在使用")
_CHANNEL_CUM_WEIGHTS: Final = tuple(itertools.accumulate((45, 30, 15, 5, 5)))
_STATUS_CUM_WEIGHTS: Final = tuple(itertools.accumulate((10, 15, 50, 10, 15)))
# Recorded histories, as imported: the statuses a generated complaint may be in.
_STATUSES: Final = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.RESOLVED,
    ComplaintStatus.REJECTED,
    ComplaintStatus.CLOSED,
)
_CLOSED: Final = frozenset(
    {ComplaintStatus.RESOLVED.value, ComplaintStatus.REJECTED.value, ComplaintStatus.CLOSED.value}
)


def iter_complaint_batches(
    roster: Roster, *, cited: Sequence[Certificate] = ()
) -> Iterator[list[Complaint]]:
    """One complaint per ten institutions; a fifth name one of the ``cited`` certificates and
    are filed against its issuer."""
    rated = roster.indices_of(RATED)
    first = date(2019, 1, 1).toordinal()
    channels, statuses = tuple(ComplaintChannel), _STATUSES
    total = roster.institutions // 10
    for number, start in enumerate(range(0, total, BATCH)):
        rng = random_stream(roster.seed, "complaints", number)
        batch: list[Complaint] = []
        for index in range(start, min(start + BATCH, total)):
            certificate = rng.choice(cited) if cited and rng.random() < 0.2 else None
            if certificate is None:
                against = roster.institution_usccs[rng.choice(rated)]
                category = rng.choice(_COMPLAINT_CATEGORIES)
                filed = date.fromordinal(rng.randint(first, roster.today.toordinal()))
            else:
                against = certificate.issuer
                category = rng.choice(_CERTIFICATE_CATEGORIES)
                since = max(first, certificate.issued_on.toordinal())
                filed = date.fromordinal(rng.randint(since, roster.today.toordinal()))
            channel = channels[bisect.bisect(_CHANNEL_CUM_WEIGHTS, rng.randrange(100))]
            status = statuses[bisect.bisect(_STATUS_CUM_WEIGHTS, rng.randrange(100))].value
            closed = status in _CLOSED
            substantiated: bool | None = None
            if status == ComplaintStatus.RESOLVED.value:
                substantiated = rng.random() < 0.7
            elif status == ComplaintStatus.REJECTED.value:
                substantiated = False
            batch.append(
                Complaint(
                    id=f"CP-{index:08d}",
                    against=against,
                    channel=channel.value,
                    category=category,
                    status=status,
                    filed_on=filed,
                    details=f"投诉人反映{category}，要求核查并答复。",
                    certificate=None if certificate is None else certificate.number,
                    substantiated=substantiated,
                    closed_on=(
                        min(roster.today, filed + timedelta(days=rng.randint(3, 60)))
                        if closed
                        else None
                    ),
                    resolution=_resolution(status, substantiated) if closed else None,
                )
            )
        yield batch


def _resolution(status: str, substantiated: bool | None) -> str:
    if status == ComplaintStatus.REJECTED.value:
        return "经核查投诉事项不属实，不予受理。"
    if substantiated:
        return "经核查情况属实，已责令机构整改并向投诉人反馈。"
    return "经调解双方达成一致，投诉办结。"
