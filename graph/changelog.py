"""The hash-chained change log: every write appends entries whose hashes link to the last one.

``hash = sha256(previous hash ‖ canonical JSON of the entry)``, so rewriting any stored entry
breaks every hash after it, which ``verify_chain`` reports as the first broken link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import orjson

from graph import clock
from graph.log_models import Change, ChangeHead

__all__ = [
    "GENESIS_HASH",
    "ChangeDraft",
    "canonical_json",
    "chain_changes",
    "first_broken_link",
    "utc_now",
    "utc_stamp",
]

GENESIS_HASH = "0" * 64


def utc_now() -> str:
    """The registry's timestamp format: UTC, microseconds, sortable as text."""
    return utc_stamp(clock.now())


def utc_stamp(moment: datetime) -> str:
    """``moment`` (timezone-aware) in the registry's timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | frozenset):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def canonical_json(value: object) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same bytes for the same content everywhere."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_SORT_KEYS).decode()


@dataclass(frozen=True, slots=True)
class ChangeDraft:
    """A change before it has its place (seq) and hash in the log."""

    entity: str
    key: str
    op: str
    data: Mapping[str, object]


def _entry_hash(previous: str, change: Change) -> str:
    body = canonical_json(
        {
            "seq": change.seq,
            "entity": change.entity,
            "key": change.key,
            "op": change.op,
            "at": change.at,
            "actor": change.actor,
            "data": change.data,
        }
    )
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def chain_changes(
    head: ChangeHead, drafts: Sequence[ChangeDraft], *, actor: str, at: str
) -> list[Change]:
    """Number the drafts after ``head`` and link each to the one before."""
    changes: list[Change] = []
    previous = head.hash
    for offset, draft in enumerate(drafts, start=1):
        unhashed = Change(
            seq=head.seq + offset,
            entity=draft.entity,
            key=draft.key,
            op=draft.op,
            at=at,
            actor=actor,
            data=canonical_json(draft.data),
            hash="",
        )
        previous = _entry_hash(previous, unhashed)
        changes.append(replace(unhashed, hash=previous))
    return changes


def first_broken_link(changes: Iterable[Change], *, previous: str = GENESIS_HASH) -> int | None:
    """The seq of the first entry whose hash does not follow from the entries before it."""
    expected_seq: int | None = None
    for change in changes:
        if expected_seq is not None and change.seq != expected_seq:
            return expected_seq
        if _entry_hash(previous, change) != change.hash:
            return change.seq
        previous = change.hash
        expected_seq = change.seq + 1
    return None
