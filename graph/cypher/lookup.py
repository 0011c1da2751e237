"""Existence checks by natural key, one constant statement per label.

They answer with the missing keys only, in one row: a batch of 1,000 present keys would
otherwise cost 1,000 result rows to transfer and decode.
"""

from __future__ import annotations

__all__ = ["MISSING", "VERSIONS"]

_TEMPLATE = """
UNWIND $keys AS key
OPTIONAL MATCH (n:{label} {{{prop}: key}})
WITH key, n WHERE n IS NULL
RETURN collect(key) AS missing
"""

MISSING = {
    "Region": _TEMPLATE.format(label="Region", prop="code"),
    "Institution": _TEMPLATE.format(label="Institution", prop="uscc"),
    "Organization": _TEMPLATE.format(label="Organization", prop="uscc"),
    "Accreditation": _TEMPLATE.format(label="Accreditation", prop="number"),
    "Certificate": _TEMPLATE.format(label="Certificate", prop="number"),
    "SupervisionPlan": _TEMPLATE.format(label="SupervisionPlan", prop="id"),
    "Complaint": _TEMPLATE.format(label="Complaint", prop="id"),
}

_VERSION_TEMPLATE = """
UNWIND $keys AS key
OPTIONAL MATCH (n:{label} {{{prop}: key}})
RETURN key, coalesce(n.version, 0) AS version
"""

# The stored version of each key (0 where there is no such entity yet), for expectedVersion.
VERSIONS = {
    label: _VERSION_TEMPLATE.format(label=label, prop=prop)
    for label, prop in (
        ("Institution", "uscc"),
        ("Organization", "uscc"),
        ("Accreditation", "number"),
        ("Certificate", "number"),
        ("Complaint", "id"),
        ("CreditRating", "id"),
        ("CreditEvent", "id"),
        ("ServiceEvaluation", "id"),
        ("ServiceAssessment", "certificate"),
        ("ServiceStation", "uscc"),
        ("ServiceRequest", "id"),
        ("Benchmark", "id"),
    )
}
