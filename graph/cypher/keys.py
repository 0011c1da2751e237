"""API credentials, stored as digests.

Keys made before keys named several parties carry a single ``institution``: they are read as
a list of one (and written back as ``institutions`` only if the key is saved again).
"""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = ["FIND_API_KEY", "LIST_API_KEYS", "RECORD_KEY_USE", "REVOKE_API_KEY", "SAVE_API_KEY"]

SAVE_API_KEY = logged("""
CREATE (:ApiKey {digest: row.digest, role: row.role, institutions: row.institutions,
                 label: row.label, createdAt: row.createdAt, entities: row.entities,
                 regions: row.regions, expiresAt: row.expiresAt})
""")

_FIELDS = """
RETURN k.digest AS digest, k.role AS role,
       coalesce(k.institutions, [u IN [k.institution] WHERE u IS NOT NULL]) AS institutions,
       k.label AS label, k.createdAt AS createdAt, k.entities AS entities,
       k.regions AS regions, k.expiresAt AS expiresAt, k.revokedAt AS revokedAt,
       k.lastUsedAt AS lastUsedAt
"""

FIND_API_KEY = "MATCH (k:ApiKey {digest: $digest})" + _FIELDS

LIST_API_KEYS = "MATCH (k:ApiKey)" + _FIELDS + "ORDER BY k.createdAt, k.digest"

# A revocation is kept (never undone): the first revocation time stays.
REVOKE_API_KEY = logged("""
MATCH (k:ApiKey {digest: row.digest})
SET k.revokedAt = coalesce(k.revokedAt, row.revokedAt)
""")

# Bookkeeping outside the change log: at most one write a minute per key, whatever the traffic.
RECORD_KEY_USE = """
MATCH (k:ApiKey {digest: $digest})
WHERE k.lastUsedAt IS NULL OR k.lastUsedAt < $staleBefore
SET k.lastUsedAt = $at
RETURN k.lastUsedAt AS lastUsedAt
"""
