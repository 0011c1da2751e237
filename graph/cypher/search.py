"""The public certificate search: holders found by one indexed key and filtered on the node,
then at most ``$holders`` of them and their certificates; or certificates by number.

Each statement bounds its work: a common query ("有限公司") stops after ``$holders``
holders rather than sorting every match.
"""

from __future__ import annotations

from graph.cypher.certificates import CERTIFICATE_MAP
from graph.cypher.timelines import later_history

__all__ = [
    "BACKFILLED",
    "BACKFILL_DONE",
    "BY_HOLDERS",
    "BY_HOLDER_USCC",
    "BY_NUMBER",
    "BY_NUMBER_PREFIX",
    "BY_PINYIN",
    "CANDIDATE_NAMES",
    "KEYLESS_HOLDERS",
    "SET_KEYS",
    "of_holders",
]

_ROW = f"""
OPTIONAL MATCH (i:Institution {{uscc: c.issuer}})
RETURN {CERTIFICATE_MAP}, history: {later_history("c")}}} AS certificate, o.name AS holderName,
       i.name AS issuerName
"""


def of_holders(candidates: str) -> str:
    """``candidates`` binds ``o``; up to ``$holders`` of them and ``$limit`` certificates."""
    return (
        candidates
        + """
WITH o LIMIT $holders
MATCH (o)<-[:CERTIFIES]-(c:Certificate)
WITH o, c ORDER BY o.name, c.number LIMIT $limit"""
        + _ROW
    )


BY_NUMBER = "MATCH (c:Certificate {number: $identifier})-[:CERTIFIES]->(o:Organization)" + _ROW
BY_HOLDER_USCC = of_holders("MATCH (o:Organization {uscc: $identifier})")
# A range on the indexed number: the index hands over only numbers that start so, and no
# more than $limit of them (unsorted: a short prefix may cover most of the registry).
BY_NUMBER_PREFIX = (
    """
MATCH (c:Certificate) WHERE c.number >= $identifier AND c.number < $beyond
WITH c LIMIT $limit
MATCH (c)-[:CERTIFIES]->(o:Organization)"""
    + _ROW
)
BY_PINYIN = of_holders(
    "MATCH (o:Organization) WHERE $anchor IN o.pinyinKeys "
    "AND all(w IN $words WHERE o.pinyin CONTAINS w) AND o.initials CONTAINS $initials"
)
BY_HOLDERS = of_holders("UNWIND $usccs AS key MATCH (o:Organization {uscc: key})")
# Appended to the dialect's name candidates: a few holders containing a part of a name.
CANDIDATE_NAMES = """
RETURN o.uscc AS uscc, o.name AS name
LIMIT $candidates
"""

# Stores written before the keys existed get them once, on open, a chunk at a time.
BACKFILLED = "MATCH (c:ChangeCounter {id: 'main'}) RETURN c.searchKeys AS done"
BACKFILL_DONE = "MATCH (c:ChangeCounter {id: 'main'}) SET c.searchKeys = 1"
KEYLESS_HOLDERS = """
MATCH (o:Organization) WHERE o.pinyinKeys IS NULL
RETURN o.uscc AS uscc, o.name AS name
LIMIT $limit
"""
SET_KEYS = """
UNWIND $rows AS row
MATCH (o:Organization {uscc: row.uscc})
SET o.pinyin = row.pinyin, o.initials = row.initials, o.pinyinKeys = row.pinyinKeys
RETURN count(o) AS updated
"""
