"""The document each change left its entity with, kept on the change as a digest, so that an
audit can tell a stored entity from what the log says was written.

Why: the hash chain proves the log was not rewritten, but an entity set straight in the
database (a certificate's status, say) leaves the log intact while the API serves the forged
value. Every change to an exported entity already keeps the document it replaced
(``prior``, for snapshots); right after its write lands, the store also keeps the SHA-256 of
the document it left (``afterDigest``), read the way snapshots read documents. The audit
compares each entity's stored document with the digest its last change kept.

The digest is written by a second statement right after the batch (the engines hash
nothing in Cypher, and the document only exists once the batch has run): on Neo4j in the
same transaction; on FalkorDB, which has none, under the store's write lock. Should that
second statement not land (a crash between the two), the audit counts the entity as
unverifiable, never as altered. Like ``prior`` and ``region`` it is outside the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence

from graph.changelog import canonical_json
from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED
from graph.models import Change, ExportDoc
from graph.snapshot_queries import UNDOCUMENTED_OPS, export_doc

__all__ = ["document_digest", "written_digests"]

Row = dict[str, object]
Read = Callable[[str, Mapping[str, object]], Awaitable[list[Row]]]


def document_digest(doc: ExportDoc) -> str:
    """SHA-256 of the document as canonical JSON (its scope region is left out: it is an
    index that follows other entities, not content)."""
    return hashlib.sha256(canonical_json(doc.doc).encode()).hexdigest()


async def written_digests(read: Read, changes: Sequence[Change]) -> list[Row]:
    """``{seq, digest}`` for the last change to each exported entity in ``changes``: the
    digest of its document as it is now, right after the batch."""
    last: dict[str, dict[str, int]] = {}
    for change in changes:
        if change.entity in EXPORTED and change.op not in UNDOCUMENTED_OPS:
            last.setdefault(change.entity, {})[change.key] = change.seq
    rows: list[Row] = []
    for entity, seqs in last.items():
        spec = EXPORTED[entity]
        for found in await read(export_cypher.docs_by_key(spec), {"keys": sorted(seqs)}):
            doc = export_doc(spec, found)
            rows.append({"seq": seqs[doc.key], "digest": document_digest(doc)})
    return rows
