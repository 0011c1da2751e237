"""Does every stored entity hold the document its last change left? The audit of the data,
beside that of the log.

Why: an intact hash chain proves the log was not rewritten, not that the entities are what
the log says. A certificate's status set straight in the database leaves the chain intact
while the API serves the forged status. Each change keeps the digest of the document it left
(:mod:`graph.written_documents`); this reads the documents as snapshots do
(:mod:`registry.operations.snapshots`) and compares each with its last change's digest.

It pages through the store and holds, per entity type, one digest per entity (about 400 MB
for a million certificates). Writes may go on meanwhile: an entity that looks altered is
read again against a head that did not move before it is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph.log_models import ExportDoc
from graph.port import GraphStore
from graph.written_documents import document_digest
from registry.operations.snapshots import PAGE, SNAPSHOT_ENTITIES, seq_windows

__all__ = ["AlteredDocument", "DocumentReport", "check_documents"]

_SETTLE_ATTEMPTS = 5
Written = dict[str, tuple[int, str | None]]  # key -> (seq of its last change, digest)


@dataclass(frozen=True, slots=True)
class AlteredDocument:
    """An entity that is not what its last change (``seq``) left: changed, or gone."""

    entity: str
    key: str
    seq: int
    gone: bool = False


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """``matching`` entities are as their last change left them; ``unverifiable`` ones have
    no digest to compare with (written before digests were kept, or their last change is no
    longer in the log); ``lost`` of those, changed after an earlier change of their type
    kept its digest: the store stopped between a batch and its digests (``lost_seqs``: the
    first and last such change); ``altered`` is the first that differs, if any."""

    matching: int
    unverifiable: int
    altered: AlteredDocument | None = None
    lost: int = 0
    lost_seqs: tuple[int, int] | None = None


async def check_documents(
    store: GraphStore, *, progress: Callable[[str], None] = lambda _: None
) -> DocumentReport:
    """Compare every exported entity with the digest of the document its last change left,
    entity type by type, a page at a time; stop at the first that differs."""
    matching = unverifiable = 0
    lost: list[int] = []  # the seqs of the changes whose digests were lost
    for entity in SNAPSHOT_ENTITIES:
        head = (await store.change_head()).seq
        written = await _last_written(store, entity, {}, after=0, up_to=head)
        kept_from = min((seq for seq, digest in written.values() if digest), default=head + 1)
        cursor: str | None = None
        while True:
            docs, cursor = await store.export_page(entity, cursor=cursor, limit=PAGE)
            for doc in docs:
                seq, digest = written.pop(doc.key, (0, None))
                if digest is None:
                    unverifiable += 1
                    if seq > kept_from:
                        lost.append(seq)
                elif document_digest(doc) == digest or not await _still_differs(
                    store, entity, doc.key, (seq, digest)
                ):
                    matching += 1
                else:
                    altered = AlteredDocument(entity, doc.key, seq)
                    return DocumentReport(matching, unverifiable, altered, *_span(lost))
            progress(f"documents: {entity}, {matching + unverifiable:,} checked so far")
            if cursor is None:
                break
        for key, last in written.items():  # the log says it exists; the store lacks it
            if last[1] is not None and await _still_differs(store, entity, key, last):
                altered = AlteredDocument(entity, key, last[0], gone=True)
                return DocumentReport(matching, unverifiable, altered, *_span(lost))
    return DocumentReport(matching, unverifiable, None, *_span(lost))


def _span(seqs: list[int]) -> tuple[int, tuple[int, int] | None]:
    return len(seqs), (min(seqs), max(seqs)) if seqs else None


async def _last_written(
    store: GraphStore, entity: str, written: Written, *, after: int, up_to: int
) -> Written:
    """``written`` updated with the last change to each entity in ``(after, up_to]`` (the
    log's kept part of it) and the digest of the document it left."""
    start = max(after, (await store.change_log_start()).seq)
    for window_start, window_end in seq_windows(start, up_to):
        for change in await store.get_written_digests(entity, after=window_start, up_to=window_end):
            written[change.key] = (change.seq, change.digest)
    return written


async def _still_differs(
    store: GraphStore, entity: str, key: str, last: tuple[int, str | None]
) -> bool:
    """Read the entity, and its changes after ``last``, again until the head holds still
    across the reading: a write that landed during the audit is not an alteration."""
    for _ in range(_SETTLE_ATTEMPTS):
        head = (await store.change_head()).seq
        docs: list[ExportDoc] = await store.export_docs(entity, [key])
        written = await _last_written(store, entity, {key: last}, after=last[0], up_to=head)
        if (await store.change_head()).seq != head:
            continue
        digest = written[key][1]
        if digest is None:
            return False  # a newer change whose digest is not kept yet: unverifiable now
        return not docs or document_digest(docs[0]) != digest
    return False  # writes never paused: nothing can be said against this entity
