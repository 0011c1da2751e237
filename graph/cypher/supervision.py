"""Published supervision ('double random, one public') plans and the region they cover."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = ["STORE_SUPERVISION_PLAN", "SUPERVISION_PLANS"]

STORE_SUPERVISION_PLAN = logged("""
MATCH (region:Region {code: row.props.region})
MERGE (p:SupervisionPlan {id: row.id})
SET p += row.props
MERGE (p)-[:COVERS]->(region)
""")

SUPERVISION_PLANS = """
MATCH (:Region {code: $region})<-[:COVERS]-(p:SupervisionPlan)
WHERE $before IS NULL OR p.date < $before
RETURN p.id AS id, p.region AS region, p.date AS date, p.seed AS seed, p.rates AS rates,
       p.canonical AS canonical, p.createdAt AS createdAt
ORDER BY p.date DESC, p.createdAt DESC, p.id
LIMIT $limit
"""
