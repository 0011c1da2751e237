"""Region tallies (graph.tallies): how far the change log has been counted, what a range of
it touched, the inputs of each touched entity, the counted update and the read."""

from __future__ import annotations

from graph.tallies import DAYS

__all__ = [
    "APPLY",
    "CERTIFICATES_OF_HOLDERS",
    "CERTIFICATE_INPUTS",
    "CERTIFICATE_PAGE",
    "CERTIFICATE_WINDOW",
    "DAY_SUMS",
    "INSTITUTION_INPUTS",
    "INSTITUTION_PAGE",
    "INSTITUTION_WINDOW",
    "MARK_VERSION",
    "MONTHS",
    "RANKED",
    "STATE",
    "SUBTREE",
    "TOUCHED",
    "TOUCHING",
]

# Entities whose writes can change a tally: an organization's region moves its certificates.
TOUCHING = ("Certificate", "Institution", "Organization")

# ``tallied``: the last seq whose writes are counted (null: never counted).
STATE = """
MATCH (counter:ChangeCounter {id: 'main'})
RETURN counter.seq AS seq, counter.tallied AS tallied,
       coalesce(counter.prunedThrough, 0) AS pruned, coalesce(counter.tallyVersion, 1) AS version
"""

# What the tallies count changed (a kind of tally was added): counted again from the entities.
MARK_VERSION = "MATCH (counter:ChangeCounter {id: 'main'}) SET counter.tallyVersion = $version"

TOUCHED = """
MATCH (change:Change)
WHERE change.seq > $after AND change.seq <= $upTo AND change.entity IN $entities
RETURN change.entity AS entity, collect(DISTINCT change.key) AS keys
"""

CERTIFICATES_OF_HOLDERS = """
UNWIND $keys AS key
MATCH (:Organization {uscc: key})<-[:CERTIFIES]-(c:Certificate)
RETURN collect(c.number) AS numbers
"""

_CERTIFICATE = """
OPTIONAL MATCH (o:Organization {uscc: c.holder})
RETURN c.number AS key, o.region AS region, c.issuedOn AS issuedOn, c.expiresOn AS expiresOn,
       coalesce(c.stepOn, [c.statusSince]) AS stepOn, coalesce(c.stepSeq, [0]) AS stepSeq,
       coalesce(c.stepStatus, [c.status]) AS stepStatus, c.tally AS tally
"""
CERTIFICATE_INPUTS = "UNWIND $keys AS key\nMATCH (c:Certificate {number: key})" + _CERTIFICATE
CERTIFICATE_WINDOW = "MATCH (c:Certificate) WHERE id(c) >= $from AND id(c) < $to" + _CERTIFICATE
CERTIFICATE_PAGE = (
    "MATCH (c:Certificate) WHERE c.number > $after WITH c ORDER BY c.number LIMIT $limit"
    + _CERTIFICATE
)

# Placeholders (a group named before it is registered) have no version and count nowhere.
_INSTITUTION = """
RETURN i.uscc AS key, CASE WHEN i.version IS NULL THEN null ELSE i.region END AS region,
       i.founded AS founded, i.stepOn AS stepOn, i.stepSeq AS stepSeq,
       i.stepStatus AS stepStatus, i.tally AS tally, i.kinds AS kinds,
       i.creditSort AS creditSort, i.rankTally AS rankTally
"""
INSTITUTION_INPUTS = "UNWIND $keys AS key\nMATCH (i:Institution {uscc: key})" + _INSTITUTION
INSTITUTION_WINDOW = "MATCH (i:Institution) WHERE id(i) >= $from AND id(i) < $to" + _INSTITUTION
INSTITUTION_PAGE = (
    "MATCH (i:Institution) WHERE i.uscc > $after WITH i ORDER BY i.uscc LIMIT $limit" + _INSTITUTION
)

_ZEROS = "[" + ", ".join(["0"] * DAYS) + "]"
# A kind's days are kept null while all zero (half the arrays of a national store).
_SUM = "coalesce(t.{name}, {zeros})[k] + coalesce(b.{name}, {zeros})[k]"
_DAY_SUMS = ", ".join(
    f"t.{name} = CASE WHEN all(k IN range(0, {DAYS - 1}) WHERE {_SUM} = 0) THEN null "
    f"ELSE [k IN range(0, {DAYS - 1}) | {_SUM}] END".format(name=name, zeros=_ZEROS)
    for name in ("issuedDays", "validDays", "institutionDays")
)

# One atomic statement, claimed against the tallied seq it was computed from (another
# process counting the same range first makes it write nothing): every entity's new
# contribution and the buckets' increments from the old ones, so the buckets always hold
# the sum of what the entities keep.
APPLY = f"""
MATCH (counter:ChangeCounter {{id: 'main'}})
WHERE coalesce(counter.tallied, -1) = $expected
SET counter.tallied = $through
FOREACH (e IN $certificates | MERGE (c:Certificate {{number: e.key}}) SET c.tally = e.tally)
FOREACH (e IN $institutions |
    MERGE (i:Institution {{uscc: e.key}}) SET i.tally = e.tally, i.rankTally = e.rankTally)
FOREACH (b IN $ranks |
    MERGE (t:RankTally {{key: b.key}})
    ON CREATE SET t.region = b.region, t.kind = b.kind, t.ranked = 0, t.rated = 0
    SET t.ranked = t.ranked + b.ranked, t.rated = t.rated + b.rated)
FOREACH (b IN $buckets |
    MERGE (t:RegionTally {{key: b.key}})
    ON CREATE SET t.region = b.region, t.month = b.month, t.issued = 0, t.valid = 0,
                  t.institutions = 0
    SET t.issued = t.issued + b.issued, t.valid = t.valid + b.valid,
        t.institutions = t.institutions + b.institutions, {_DAY_SUMS})
RETURN counter.tallied AS tallied
"""

# The regions a region's figures sum: itself and every region below it.
SUBTREE = """
MATCH (:Region {code: $code})-[:PARENT_OF*0..3]->(r:Region)
RETURN collect(r.code) AS codes
"""

# The months of those regions up to $month, summed (the codes as a list: FalkorDB took four
# times as long looking the tallies up once per region of a traversal).
MONTHS = """
MATCH (t:RegionTally)
WHERE t.region IN $codes AND t.month <= $month
RETURN t.month AS month, sum(t.issued) AS issued, sum(t.valid) AS valid,
       sum(t.institutions) AS institutions
ORDER BY month
"""

# The sums per day of the month a day inside of which is asked for, by key.
DAY_SUMS = """
UNWIND $keys AS key
MATCH (t:RegionTally {key: key})
RETURN t.issuedDays AS issuedDays, t.validDays AS validDays,
       t.institutionDays AS institutionDays
"""


# How many institutions rank, now, in the regions named (all when $codes is null) under one
# kind (``*``: any).
RANKED = """
MATCH (t:RankTally)
WHERE t.kind = $kind AND ($codes IS NULL OR t.region IN $codes)
RETURN sum(t.ranked) AS ranked, sum(t.rated) AS rated
"""
