"""What the verify page shows beside the verdict, read through the public GraphQL fields:
the issuer's credit grade and complaint summary (``Institution.credit``,
``Institution.complaintSummary``) and, for a service certificate, how its stars were earned
(``PublicCertificate.starsExplained``). One document, as the public, so the page shows
exactly what the API shows anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.domain.verification import Verification
from registry.web.issuer_view import CreditStanding, complaint_summary_of
from registry.web.page_reads import PageReader
from registry.web.stars_view import STARS_EXPLAINED_FIELDS
from registry.web.verification_view import IssuerStanding

__all__ = ["VERIFY_EXTRAS_QUERY", "VerifyExtras", "verify_extras"]

VERIFY_EXTRAS_QUERY = f"""
query VerifyPageExtras($number: String!, $asOf: Date, $issuer: String!) {{
  verifyCertificate(number: $number, asOf: $asOf) {{
    certificate {{ {STARS_EXPLAINED_FIELDS} }}
  }}
  institution(uscc: $issuer, asOf: $asOf) {{
    uscc name supervised
    credit {{ grade score computedOn }}
    complaintSummary {{ received open overdue substantiated }}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class VerifyExtras:
    """The issuer's public standing, and the stars' explanation (None: not a service
    certificate, or no assessment recorded)."""

    issuer: IssuerStanding | None = None
    stars_explained: dict[str, Any] | None = None


async def verify_extras(
    reader: PageReader, result: Verification, *, as_of: date | None = None
) -> VerifyExtras:
    """Nothing for a number the registry does not know: the page then says no more than the
    API does."""
    facts = result.facts
    if facts is None or facts.issuer is None:
        return VerifyExtras()
    variables = {
        "number": facts.certificate.number,
        "asOf": None if as_of is None else as_of.isoformat(),
        "issuer": facts.issuer.uscc,
    }
    answer = await reader.read(VERIFY_EXTRAS_QUERY, variables)
    verified = answer.data.get("verifyCertificate") or {}
    explained = (verified.get("certificate") or {}).get("starsExplained")
    found = answer.data.get("institution")
    if found is None:
        return VerifyExtras(stars_explained=explained)
    credit = found.get("credit")
    standing = CreditStanding(
        supervised=bool(found.get("supervised")),
        grade=None if credit is None else credit.get("grade"),
        score=None if credit is None else credit.get("score"),
        computed_on=None if credit is None else credit.get("computedOn"),
    )
    issuer = IssuerStanding(
        uscc=found["uscc"],
        name=found.get("name"),
        credit=standing,
        complaints=complaint_summary_of(found),
    )
    return VerifyExtras(issuer=issuer, stars_explained=explained)
