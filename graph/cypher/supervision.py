"""Published supervision ('double random, one public') plans and the region they cover."""

from __future__ import annotations

from graph.cypher.changes import logged

__all__ = [
    "PLANS_OF_DAY",
    "STORE_SUPERVISION_PLAN",
    "SUPERVISION_PLANS",
    "SUPERVISION_PLANS_BY_ID",
]

STORE_SUPERVISION_PLAN = logged(
    """
MATCH (region:Region {code: row.props.region})
MERGE (p:SupervisionPlan {id: row.id})
SET p += row.props
MERGE (p)-[:COVERS]->(region)
""",
    region="row.props.region",
)

_PLAN_COLUMNS = """
RETURN p.id AS id, p.region AS region, p.date AS date, p.seed AS seed, p.rates AS rates,
       p.canonical AS canonical, p.createdAt AS createdAt
"""

# A region's plans include those of its sub-regions: a province sees its cities' plans.
# Plans covering the region: of it, of a region below it (a part of it), or of one above it
# (which covers it whole: a city's plan was missing from its districts' lists, and from the
# plan a district's draw rotates its inspectors after). ``up + down`` in a WITH of its own:
# FalkorDB loses ``up`` when it is added to an aggregate in the same WITH.
SUPERVISION_PLANS = (
    """
MATCH (asked:Region {code: $region})
MATCH (above:Region)-[:PARENT_OF*0..3]->(asked)
WITH asked, collect(DISTINCT above.code) AS up
MATCH (asked)-[:PARENT_OF*0..3]->(below:Region)
WITH up, collect(DISTINCT below.code) AS down
WITH up + down AS codes
MATCH (covered:Region) WHERE covered.code IN codes
MATCH (covered)<-[:COVERS]-(p:SupervisionPlan)
WHERE $before IS NULL OR p.date < $before
WITH DISTINCT p"""
    + _PLAN_COLUMNS
    + """ORDER BY p.date DESC, p.createdAt DESC, p.id
LIMIT $limit
"""
)

SUPERVISION_PLANS_BY_ID = "UNWIND $keys AS key\nMATCH (p:SupervisionPlan {id: key})" + _PLAN_COLUMNS

# A plan of the day over one of the regions named (a region, those above and below it).
PLANS_OF_DAY = """
MATCH (p:SupervisionPlan)
WHERE p.date = $date AND p.region IN $regions
RETURN p.id AS id, p.region AS region
LIMIT 1
"""
