"""The digests of the documents a batch's changes left their entities with, kept as two
parallel lists on the batch's last change (see graph/written_documents.py).

On the last change only: FalkorDB checks a label's unique constraints again for every node a
statement updates, so setting a property on each of a batch's thousand changes took longer
than the batch itself; one node per batch is negligible, and it is pruned with its change.
"""

from __future__ import annotations

__all__ = ["DIGEST_HOLDERS", "DOCUMENTED_CHANGES", "KEEP_DIGESTS"]

KEEP_DIGESTS = """
MATCH (change:Change {seq: $seq})
SET change.writtenSeqs = $seqs, change.writtenDigests = $digests
"""

# The changes to one entity in a bounded seq range that may have changed its document.
DOCUMENTED_CHANGES = """
MATCH (change:Change)
WHERE change.seq > $after AND change.seq <= $upTo AND change.entity = $entity
  AND NOT change.op IN $undocumented
RETURN change.seq AS seq, change.key AS key
ORDER BY change.seq
"""

# The digest lists kept on the last changes of the batches in a bounded seq range.
DIGEST_HOLDERS = """
MATCH (change:Change)
WHERE change.seq > $after AND change.seq <= $upTo AND change.writtenSeqs IS NOT NULL
RETURN change.writtenSeqs AS seqs, change.writtenDigests AS digests
"""
