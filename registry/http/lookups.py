"""Count the public lookups one GraphQL request asks for, aliases included.

Rate limits must count `a: verifyCertificate(...) b: verifyCertificate(...)` as two lookups,
or one request with a hundred aliases would walk the registry under a single hit. The public's
writes to service stations (a demand, an evaluation by token) count the same way.
"""

from __future__ import annotations

from graphql import DocumentNode

from registry.schema.documents import root_fields

__all__ = ["LOOKUP_FIELDS", "count_lookups"]

# disputeRecord too: anyone may file one, so it costs what a lookup costs (issue 14).
# Filing a complaint needs no key either, so it draws on the same allowance: one per filing.
LOOKUP_FIELDS = frozenset(
    {
        "verifyCertificate",
        "verifyToken",
        "certificate",
        "searchCertificates",
        "organization",
        "disputeRecord",
        "fileComplaint",
        # What the public writes and reads by token at a service station: each demand, each
        # evaluation and each token tried counts, so neither floods nor guesses are cheap.
        "submitServiceRequest",
        "evaluateServiceRequest",
        "serviceRequest",
    }
)


def count_lookups(document: DocumentNode, operation_name: str | None) -> int:
    """Lookups at the root of the operation that would run, through fragments: one for each
    response name (alias or field name) of a lookup field, which is what the executor runs
    (it merges the copies of one response name, however many fragments spread them)."""
    return len(
        {
            (field.alias or field.name).value
            for field in root_fields(document, operation_name)
            if field.name.value in LOOKUP_FIELDS
        }
    )
