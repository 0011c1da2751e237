"""API credentials, stored as digests."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = ["FIND_API_KEY", "SAVE_API_KEY"]

SAVE_API_KEY = logged("""
CREATE (:ApiKey {digest: row.digest, role: row.role, institution: row.institution,
                 label: row.label, createdAt: row.createdAt, entities: row.entities,
                 regions: row.regions})
""")

FIND_API_KEY = """
MATCH (k:ApiKey {digest: $digest})
RETURN k.digest AS digest, k.role AS role, k.institution AS institution, k.label AS label,
       k.createdAt AS createdAt, k.entities AS entities, k.regions AS regions
"""
