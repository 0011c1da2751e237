"""The document each change left its entity with, kept as a digest, so that an audit can
tell a stored entity from what the log says was written.

Why: the hash chain proves the log was not rewritten, but an entity set straight in the
database (a certificate's status, say) leaves the log intact while the API serves the forged
value. Every change to an exported entity already keeps the document it replaced
(``prior``, for snapshots); right after its write lands, the store also keeps the SHA-256 of
the document it left, read the way snapshots read documents, as lists on the batch's last
change (graph/cypher/documents.py says why there). The audit compares each entity's stored
document with the digest kept for its last change.

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
from graph.cypher.exports import EXPORTED, ExportSpec
from graph.log_models import Change, ExportDoc
from graph.snapshot_queries import UNDOCUMENTED_OPS, export_doc

__all__ = ["Documents", "document_digest", "documents_by_read", "written_digests"]

Row = dict[str, object]
Read = Callable[[str, Mapping[str, object]], Awaitable[list[Row]]]
Documents = Callable[[ExportSpec, list[str]], Awaitable[list[ExportDoc]]]


def document_digest(doc: ExportDoc) -> str:
    """SHA-256 of the document as canonical JSON (its scope region is left out: it is an
    index that follows other entities, not content)."""
    return hashlib.sha256(canonical_json(doc.doc).encode()).hexdigest()


def documents_by_read(read: Read) -> Documents:
    """Documents by key through a plain reader (within a transaction, on Neo4j)."""

    async def documents(spec: ExportSpec, keys: list[str]) -> list[ExportDoc]:
        rows = await read(export_cypher.docs_by_key(spec), {"keys": keys})
        return [export_doc(spec, row) for row in rows]

    return documents


async def written_digests(documents: Documents, changes: Sequence[Change]) -> Row | None:
    """The parameters of ``KEEP_DIGESTS`` for a batch that just landed: for the last change
    to each exported entity in it, the digest of its document as it is now; None when the
    batch changed no document. ``documents`` must read them as the audit will (the store's
    own export read), or their digests could differ."""
    last: dict[str, dict[str, int]] = {}
    for change in changes:
        if change.entity in EXPORTED and change.op not in UNDOCUMENTED_OPS:
            last.setdefault(change.entity, {})[change.key] = change.seq
    seqs: list[int] = []
    digests: list[str] = []
    for entity, by_key in last.items():
        for doc in await documents(EXPORTED[entity], sorted(by_key)):
            seqs.append(by_key[doc.key])
            digests.append(document_digest(doc))
    if not seqs:
        return None
    return {"seq": changes[-1].seq, "seqs": seqs, "digests": digests}
