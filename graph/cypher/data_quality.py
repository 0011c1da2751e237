"""An issuer's data quality, counted in the store: no certificate is sent to Python.

Each statement takes ``$keys`` (issuers' USCCs) and answers one row per issuer that has
something to count; the port fills in zeros for the rest.
"""

from __future__ import annotations

__all__ = ["CERTIFICATE_COUNTS", "DISPUTE_COUNTS", "ISSUE_GROUPS", "STATUS_LAGS", "day_number"]


def day_number(iso: str) -> str:
    """An expression: the Julian day number of ``iso``, an expression of an ISO date
    ('YYYY-MM-DD…'), in integer arithmetic both engines share (FalkorDB has no date
    arithmetic; dates are stored as text, design note 1)."""
    y = f"toInteger(substring({iso}, 0, 4))"
    m = f"toInteger(substring({iso}, 5, 2))"
    d = f"toInteger(substring({iso}, 8, 2))"
    a = f"((14 - {m}) / 12)"
    year = f"({y} + 4800 - {a})"
    month = f"({m} + 12 * {a} - 3)"
    return (
        f"({d} + (153 * {month} + 2) / 5 + 365 * {year} + {year} / 4 - {year} / 100 "
        f"+ {year} / 400 - 32045)"
    )


# An issuer's certificates are reached along its ISSUED edges, filtered in a WITH after
# the MATCH: a WHERE on the certificate inside it makes FalkorDB (4.16) scan every
# certificate instead of starting from the issuer's index (design note 38).

# Expected fields a certificate may lack: a service certificate's star grade.
CERTIFICATE_COUNTS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:ISSUED]->(c:Certificate)
WITH key, c, CASE WHEN c.family = 'SERVICE' AND c.stars IS NULL THEN 1 ELSE 0 END AS noStars
RETURN key AS uscc, count(c) AS certificates, sum(noStars) AS missingStars,
       sum(CASE WHEN noStars > 0 THEN 1 ELSE 0 END) AS incomplete,
       sum(CASE WHEN c.issuedOn >= $since THEN 1 ELSE 0 END) AS recentCertificates
"""

# Steps after the issue (the step with the lowest seq is the issue itself: an import of old
# certificates is not a late status change), and how many days after their effective date
# each was recorded (China's day of recording, UTC+8: a stamp from 16:00 UTC is the next
# day there; a step recorded ahead has a negative lag).
STATUS_LAGS = (
    """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:ISSUED]->(c:Certificate)
WITH key, c WHERE size(coalesce(c.stepSeq, [])) > 1
WITH key, c,
     reduce(low = c.stepSeq[0], q IN c.stepSeq | CASE WHEN q < low THEN q ELSE low END)
       AS issueSeq
MATCH (c)-[:HAS_STATUS]->(s:StatusChange)
WHERE s.seq > issueSeq
WITH key, """
    + day_number("s.recordedAt")
    + " + CASE WHEN toInteger(substring(s.recordedAt, 11, 2)) >= 16 THEN 1 ELSE 0 END - "
    + day_number("s.effectiveOn")
    + """ AS lag
RETURN key AS uscc, count(lag) AS statusChanges,
       sum(CASE WHEN lag > $lateAfterDays THEN 1 ELSE 0 END) AS lateStatusChanges
"""
)

# Answered disputes about an issuer's certificates, and how many were upheld.
DISPUTE_COUNTS = """
UNWIND $keys AS key
MATCH (d:Dispute {institution: key})
WHERE d.entity = 'CERTIFICATE' AND d.status <> 'OPEN'
RETURN key AS uscc, count(d) AS disputesAnswered,
       sum(CASE WHEN d.status = 'UPHELD' THEN 1 ELSE 0 END) AS disputesUpheld
"""

# An issuer's certificates since ``$since`` by family, standard and issue day.
ISSUE_GROUPS = """
UNWIND $keys AS key
MATCH (:Institution {uscc: key})-[:ISSUED]->(c:Certificate)
WITH key, c WHERE c.issuedOn >= $since
RETURN key AS issuer, c.family AS family, c.standard AS standard, c.issuedOn AS issuedOn,
       count(c) AS certificates
"""
