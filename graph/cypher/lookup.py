"""Existence checks by natural key, one constant statement per label."""

from __future__ import annotations

__all__ = ["EXISTING"]

EXISTING = {
    "Region": "UNWIND $keys AS key MATCH (n:Region {code: key}) RETURN key",
    "Institution": "UNWIND $keys AS key MATCH (n:Institution {uscc: key}) RETURN key",
    "Organization": "UNWIND $keys AS key MATCH (n:Organization {uscc: key}) RETURN key",
    "Certificate": "UNWIND $keys AS key MATCH (n:Certificate {number: key}) RETURN key",
}
