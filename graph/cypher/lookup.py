"""Existence checks by natural key, one constant statement per label.

They answer with the missing keys only, in one row: a batch of 1,000 present keys would
otherwise cost 1,000 result rows to transfer and decode.
"""

from __future__ import annotations

__all__ = ["MISSING"]

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
    "Certificate": _TEMPLATE.format(label="Certificate", prop="number"),
    "SupervisionPlan": _TEMPLATE.format(label="SupervisionPlan", prop="id"),
}
