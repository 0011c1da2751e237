"""When a complaint is overdue: the handling time limit, as data.

A complaint is to be handled within 60 days of being filed (the limit issue 14 sets, after
China's market-regulation complaint rules; docs/credit-method.md). One place holds it, so the
hard rule of classified supervision and anything that shows a due date agree.
"""

from __future__ import annotations

from datetime import date, timedelta

from graph.models import Complaint
from registry.domain.vocabulary import ComplaintStatus

__all__ = ["HANDLING_DAYS", "OPEN_STATUSES", "handling_due_by", "overdue"]

HANDLING_DAYS = 60
# Not yet resolved, rejected or closed.
OPEN_STATUSES = frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING})


def handling_due_by(filed_on: date) -> date:
    """The last day to handle a complaint filed on ``filed_on``."""
    return filed_on + timedelta(days=HANDLING_DAYS)


def overdue(complaint: Complaint, *, today: date) -> bool:
    """Still open after its last handling day."""
    return complaint.status in OPEN_STATUSES and handling_due_by(complaint.filed_on) < today
