"""Certificate batches of a bulk load encoded by themselves, so that worker processes can
build them (graph.bulk_workers runs them; docs/design-notes.md, notes 33 and 36).

Why a batch can be built alone: a batch of ``n`` certificates takes the ``n`` node ids of
its certificates and the ``n`` after them for their first status steps, and the ``n`` seqs
of their issues, all known from the sizes of the batches before it. What is not known in
advance is left open: the seqs of the later status steps (numbered after every
certificate, so they depend on how many steps the batches before had) are written as
placeholders whose byte offsets the batch reports, and the loading process patches them;
the later steps' own nodes are built there too, after the last batch, and so are the
certificates' holder edges (the holders are numbered last). Each worker adds its
certificates' contributions to region tallies of its own, which the loading process adds
up at the end, and so the certificates' part of the credit facts when the load scores
(graph.bulk_credit).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from operator import attrgetter

from graph.bulk_credit import CertificateCredit
from graph.bulk_data import BulkReferenceError, CertificateBatch, CertificateSource
from graph.bulk_derived import NO_NEXT, Timeline, certificate_timeline
from graph.bulk_format import (
    EdgeToken,
    NodeToken,
    encode_pairs,
    encode_row,
    encode_text,
    encode_value,
)
from graph.cypher_store.certificates import CERTIFICATE_KEPT
from graph.mapping import stored_fields
from graph.models import ISSUED_REASON, Certificate
from graph.tallies import Buckets, certificate_contribution

__all__ = [
    "CERTIFICATE_COLUMNS",
    "PLACEHOLDER",
    "STEP_COLUMNS",
    "TIMELINE_COLUMNS",
    "BatchContext",
    "BatchWork",
    "BuiltBatch",
]

STEP_COLUMNS = ("number", "status", "reason", "effectiveOn", "recordedAt", "actor", "seq")
TIMELINE_COLUMNS = ("status", "statusSince", "statusUntil", "stepOn", "stepSeq", "stepStatus")
_FIELDS = stored_fields(Certificate, CERTIFICATE_KEPT)
CERTIFICATE_COLUMNS = (
    *(prop for _, prop in _FIELDS),
    "statusReason",
    "version",
    *TIMELINE_COLUMNS,
    "region",
    "tally",
)
_OWN = attrgetter(*(name for name, _ in _FIELDS))
_STEP_SEQ = CERTIFICATE_COLUMNS.index("stepSeq")
# A later step's seq before it is known: above any real seq, so a certificate's steps order
# as they will (issue first, then its later steps in turn); plus the step's index in its batch.
PLACEHOLDER = 1 << 62
_LONG = struct.Struct("<q")
_NULL = b"\x00"
_NO_STEP_LISTS = _NULL * 3  # stepOn, stepSeq, stepStatus of a certificate with one step
_WITHDRAWN = "WITHDRAWN"  # a step that gives the certificate its WITHDREW edge
_text = encode_text


# Not frozen: it travels to the worker processes, and a frozen dataclass compiled by mypyc
# (graph.native) cannot be unpickled (mypyc/mypyc#1213).
@dataclass(slots=True)
class BatchContext:
    """What every batch needs, sent once to each worker: the stamp of the load's steps,
    the ids of the institutions, each holder's position among the holders and region, the
    source the batches are rebuilt from, if they are not sent themselves, and the day the
    load scores on, if it does."""

    at: str
    day: str  # the registry's day at ``at``: the day whose step each node caches
    actor: str
    issuers: dict[str, int]
    holders: dict[str, tuple[int, str]]
    source: CertificateSource | None = None
    credit_day: str | None = None


@dataclass(slots=True)
class BuiltBatch:
    """A batch's node tokens (certificates, first steps) and edge tokens (ISSUED,
    HAS_STATUS, WITHDREW) as bytes, with what the loading process completes: the offsets of the
    placeholder seqs in the certificate token (with each step's index in the batch), the
    later steps (the index of their certificate in the batch, and their row with a
    placeholder seq), the certificates' numbers and holders' positions."""

    certificates: bytes = b""
    steps: bytes = b""
    issued: bytes = b""
    has_status: bytes = b""
    withdrew: bytes = b""  # WITHDREW edges: certificates with a withdrawal step
    withdrawn: int = 0
    count: int = 0
    patches: list[tuple[int, int]] = field(default_factory=list)
    later: list[tuple[int, list[object]]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    holders: list[int] = field(default_factory=list)
    kept: list[Certificate] = field(default_factory=list)
    missing: tuple[str, str] | None = None  # (label, key) of a record not in the load


class BatchWork:
    """Builds batches with one context, adding their tallies to its own buckets and their
    credit facts to its own counts (one per worker process, or the loading process's own
    when it builds them itself)."""

    def __init__(self, context: BatchContext) -> None:
        self.context = context
        self.buckets = Buckets()
        day = context.credit_day
        self.credit = None if day is None else CertificateCredit(day)
        self._header = len(NodeToken("Certificate", CERTIFICATE_COLUMNS).encoded())

    def build(self, batch: int | CertificateBatch, first_id: int, first_seq: int) -> BuiltBatch:
        """Batch ``batch`` (its number in the context's source, or itself) as the records
        from node ``first_id`` and seq ``first_seq`` on."""
        source = self.context.source
        if isinstance(batch, int):
            if source is None:
                raise ValueError("a batch by number needs a source")
            batch = source.batch(batch)
        try:
            built = self._build(batch, first_id, first_seq)
        except BulkReferenceError as exc:
            return BuiltBatch(missing=(exc.label, exc.keys[0] if exc.keys else ""))
        if source is not None:
            built.kept = source.kept_of(batch[0])
        return built

    def _build(self, batch: CertificateBatch, first_id: int, first_seq: int) -> BuiltBatch:
        certificates, later = batch
        context = self.context
        at, actor = context.at, context.actor
        day = context.day
        n = len(certificates)
        firsts: list[list[object]] = []  # each certificate's first step
        index: dict[str, int] = {}
        for k, c in enumerate(certificates):
            on = (c.status_since or c.issued_on).isoformat()
            reason = c.status_reason or ISSUED_REASON
            firsts.append([c.number, c.status, reason, on, at, actor, first_seq + k])
            index[c.number] = k
        built = BuiltBatch(count=n)
        extra: dict[int, list[list[object]]] = {}
        for r, change in enumerate(later):
            k = index.get(change.number, -1)
            if k < 0:
                raise BulkReferenceError.of("Certificate", change.number)
            on = change.effective_on.isoformat()
            step: list[object] = [
                change.number, change.status, change.reason, on, at, actor, PLACEHOLDER + r
            ]  # fmt: skip
            extra.setdefault(k, []).append(step)
            built.later.append((k, step))
        holders, buckets = context.holders, self.buckets
        rows: list[bytes] = []
        timelines: list[Timeline] = []
        size = self._header
        text = _text
        for k, c in enumerate(certificates):
            found = holders.get(c.holder)
            if found is None:
                raise BulkReferenceError.of("Organization", c.holder)
            region = found[1]
            first = firsts[k]
            if k in extra:
                steps = [first, *extra[k]]
                timeline = certificate_timeline(steps, day, c.status, c.status_reason)
            else:  # what certificate_timeline gives for one step, without the call
                steps = [first]
                on, status = str(first[3]), c.status
                timeline = Timeline(
                    c.status_reason, 1, status, on, NO_NEXT, [on], [first[6]], [status]
                )
            timelines.append(timeline)
            contribution = certificate_contribution(
                region=region,
                issued_on=c.issued_on.isoformat(),
                expires_on=c.expires_on.isoformat(),
                step_on=timeline.step_on,
                step_seq=timeline.step_seq,
                step_status=timeline.step_status,
            )
            buckets.add(contribution)
            tally = contribution.encoded()
            if len(steps) == 1:  # no step lists (graph.cypher.timelines), built directly
                encoded = b"".join(
                    (
                        encode_row(_OWN(c)),
                        encode_row(timeline[:5]),
                        _NO_STEP_LISTS,
                        _NULL if region is None else text(region),
                        _NULL if tally is None else text(tally),
                    )
                )
            else:  # where the placeholders land, to be patched
                values = [*_OWN(c), *timeline, region, tally]
                head = encode_row(values[:_STEP_SEQ])
                at_seqs = size + len(head) + 9  # the array's type and length
                built.patches += [
                    (at_seqs + 9 * j + 1, int(str(s[6])) - PLACEHOLDER)
                    for j, s in enumerate(steps)
                    if j
                ]
                tail = encode_row(values[_STEP_SEQ + 1 :])
                encoded = head + encode_value(values[_STEP_SEQ]) + tail
            rows.append(encoded)
            size += len(encoded)
        if self.credit is not None:
            self.credit.add(certificates, timelines)
        built.numbers = [c.number for c in certificates]
        built.holders = [holders[c.holder][0] for c in certificates]
        token = NodeToken("Certificate", CERTIFICATE_COLUMNS)
        token.extend(b"".join(rows), n)
        built.certificates = token.encoded()
        steps_token = NodeToken("StatusChange", STEP_COLUMNS)
        steps_token.extend(b"".join(map(encode_row, firsts)), n)
        built.steps = steps_token.encoded()
        try:
            issuers = [context.issuers[c.issuer] for c in certificates]
        except KeyError as exc:
            raise BulkReferenceError.of("Institution", str(exc.args[0])) from None
        ids = range(first_id, first_id + n)
        issued, has_status = EdgeToken("ISSUED"), EdgeToken("HAS_STATUS")
        issued.extend(encode_pairs(issuers, ids), n)
        has_status.extend(encode_pairs(ids, range(first_id + n, first_id + 2 * n)), n)
        built.issued, built.has_status = issued.encoded(), has_status.encoded()
        withdrawn = [
            k
            for k, c in enumerate(certificates)
            if c.status == _WITHDRAWN or any(s[1] == _WITHDRAWN for s in extra.get(k, ()))
        ]
        if withdrawn:
            withdrew = EdgeToken("WITHDREW")
            pairs = encode_pairs([issuers[k] for k in withdrawn], [first_id + k for k in withdrawn])
            withdrew.extend(pairs, len(withdrawn))
            built.withdrew, built.withdrawn = withdrew.encoded(), len(withdrawn)
        return built


def patch(built: BuiltBatch, first_later_seq: int) -> bytes:
    """The certificate token with its later steps' seqs, the batch's first being
    ``first_later_seq``."""
    if not built.patches:
        return built.certificates
    token = bytearray(built.certificates)
    for offset, r in built.patches:
        _LONG.pack_into(token, offset, first_later_seq + r)
    return bytes(token)
