"""The digest of the document each change left its entity with (``change.afterDigest``),
kept right after the change's batch and read by the audit (see graph/written_documents.py)."""

from __future__ import annotations

__all__ = ["ENTITY_DIGESTS", "KEEP_DIGESTS"]

KEEP_DIGESTS = """
UNWIND $rows AS row
MATCH (change:Change {seq: row.seq})
SET change.afterDigest = row.digest
"""

# The changes to one entity in a bounded seq range that may have changed its document, with
# the digest of the document each left (null when none was kept).
ENTITY_DIGESTS = """
MATCH (change:Change)
WHERE change.seq > $after AND change.seq <= $upTo AND change.entity = $entity
  AND NOT change.op IN $undocumented
RETURN change.seq AS seq, change.key AS key, change.afterDigest AS digest
ORDER BY change.seq
"""
