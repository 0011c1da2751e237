"""Snapshots consistent at one seq: every exported entity as it was right after change
``as_of``, streamed a page at a time while writes go on.

A page is read as the graph is now; then the change head is read, and every change to the
entity up to that head is known. An entity changed after ``as_of`` is replaced by the
document its first such change recorded as replaced (or left out, when that change created
it). Anything the page saw is covered, because a change is committed with its seq, so the
snapshot is exact whatever is written during it. Changes are read once each, in bounded seq
windows; the log must still hold every change after ``as_of``.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Iterable, Iterator

from graph.cypher.exports import EXPORTED
from graph.export_lines import LinePage, document_line, document_lines
from graph.log_models import EntityChange
from graph.port import GraphStore
from graph.snapshot_queries import prior_doc

__all__ = [
    "SNAPSHOT_ENTITIES",
    "SnapshotExpired",
    "content_digest",
    "document_line",
    "document_lines",
    "seq_windows",
    "snapshot",
]

# In the order an import writes them, so every reference already exists.
SNAPSHOT_ENTITIES: tuple[str, ...] = tuple(EXPORTED)
PAGE = 1000
_CHANGE_WINDOW = 50_000


class SnapshotExpired(Exception):
    """Changes after the snapshot's seq were pruned (or it is ahead of the log)."""


def content_digest(lines: Iterable[bytes]) -> str:
    """SHA-256 over the sorted document lines: the same for the same set of documents,
    whatever order they came in."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line)
    return digest.hexdigest()


class _Priors:
    """The document each key had at ``as_of``, for the keys changed since, learnt from the
    log a window at a time as the head moves."""

    def __init__(self, store: GraphStore, entity: str, as_of: int) -> None:
        self._store = store
        self._entity = entity
        self._read_to = as_of
        self._first: dict[str, str] = {}

    async def read_to(self, head: int) -> None:
        async for found in _entity_changes(
            self._store, self._entity, after=self._read_to, up_to=head
        ):
            for change in found:
                if change.prior is not None and change.key not in self._first:
                    self._first[change.key] = change.prior
        self._read_to = max(self._read_to, head)

    @property
    def changed(self) -> bool:
        """Whether any key was changed after ``as_of`` (so far as the log was read)."""
        return bool(self._first)

    def at_as_of(self, page: LinePage, regions: frozenset[str] | None) -> LinePage:
        """The page as it was at ``as_of``: a changed document's line is the one its first
        change replaced (none when that change created it); only scopes in ``regions``."""
        keys: list[str] = []
        scopes: list[str | None] = []
        lines = bytearray()
        for key, region, line in zip(page.keys, page.regions, page.lines(), strict=True):
            prior = self._first.get(key)
            if prior is not None:
                if not prior:
                    continue
                doc = prior_doc(EXPORTED[self._entity], prior)
                region, line = doc.region, document_line(doc)
            if regions is None or region in regions:
                keys.append(key)
                scopes.append(region)
                lines += line
        return LinePage(bytes(lines), tuple(keys), tuple(scopes))


async def snapshot(
    store: GraphStore,
    entity: str,
    *,
    as_of: int,
    regions: frozenset[str] | None = None,
    changed_after: int | None = None,
) -> AsyncIterator[LinePage]:
    """Pages of ``entity``'s documents as at seq ``as_of``, encoded; only those in
    ``regions`` (the codes themselves, not their subtrees) when given; only those changed
    after ``changed_after`` when given (a delta between two snapshots)."""
    # Everything after this seq must still be in the log, from first read to last.
    needed = as_of if changed_after is None else min(as_of, changed_after)
    await _still_kept(store, needed, head=(await store.change_head()).seq)
    priors = _Priors(store, entity, as_of)

    async def settle(page: LinePage) -> LinePage:
        head = (await store.change_head()).seq
        await priors.read_to(head)
        await _still_kept(store, needed, head=head)
        if regions is None and not priors.changed:
            return page  # nothing written since as_of: every document is as it was then
        return priors.at_as_of(page, regions)

    if changed_after is not None:
        keys = await _changed_keys(store, entity, after=changed_after, up_to=as_of)
        for start in range(0, len(keys), PAGE):
            found = await store.export_docs(entity, keys[start : start + PAGE])
            yield await settle(LinePage.of(found))
        return

    # The store reads the next pages while this one is settled and sent; each page is
    # still settled after it was read.
    async with contextlib.aclosing(store.line_pages(entity, limit=PAGE)) as pages:
        async for page in pages:
            yield await settle(page)


def seq_windows(after: int, up_to: int) -> Iterator[tuple[int, int]]:
    """``(after, up_to]`` as bounded seq windows ``(start, end]``: reading an entity's
    changes one window at a time keeps each read an indexed range of the log."""
    while after < up_to:
        end = min(up_to, after + _CHANGE_WINDOW)
        yield after, end
        after = end


async def _entity_changes(
    store: GraphStore, entity: str, *, after: int, up_to: int
) -> AsyncIterator[list[EntityChange]]:
    """The entity's changes in ``(after, up_to]``, a bounded seq window per read."""
    for start, end in seq_windows(after, up_to):
        yield await store.get_entity_changes(entity, after=start, up_to=end)


async def _changed_keys(store: GraphStore, entity: str, *, after: int, up_to: int) -> list[str]:
    keys: dict[str, None] = {}
    async for found in _entity_changes(store, entity, after=after, up_to=up_to):
        keys.update((change.key, None) for change in found)
    return list(keys)


async def _still_kept(store: GraphStore, as_of: int, *, head: int) -> None:
    """SnapshotExpired unless the log still holds every change after ``as_of``, and
    ``as_of`` is not past ``head``."""
    start = (await store.change_log_start()).seq
    if as_of < start:
        raise SnapshotExpired(
            f"changes up to seq {start} are no longer kept: ask for a snapshot at a later "
            "seq (or the head)"
        )
    if as_of > head:
        raise SnapshotExpired(f"seq {as_of} is ahead of the log (head {head})")
