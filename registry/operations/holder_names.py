"""A registered institution's holder record carries its registered name, whichever is
written first: the name the public checks a certificate's holder by is the registration's,
not the name the first body to write the record chose."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from graph.port import GraphStore
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import FieldProblem, InstitutionRecord, OrganizationRecord

__all__ = ["refuse_other_holder_names", "refuse_unregistered_names"]


def same_name(a: str, b: str) -> bool:
    """Equal once spacing, case and what NFKC folds (width, compatibility forms) are set
    aside, and nothing more: the search form also drops punctuation, symbols and invisible
    characters, so a name with a zero-width space in it passed as the registered one
    (twenty-fourth session's review)."""
    return _compared(a) == _compared(b)


def _compared(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


async def refuse_unregistered_names(
    store: GraphStore, records: Sequence[OrganizationRecord]
) -> None:
    """A body that had never served a Dalian lab gave it a holder record under a name of
    its own, and the lab's real certificates then failed verification by its name
    (HOLDER_MISMATCH): a registered institution's holder record takes its registered name."""
    registered = {i.uscc: i.name for i in await store.get_institutions([r.uscc for r in records])}
    problems = [
        FieldProblem(
            "NOT_REGISTERED_NAME",
            f"{r.uscc} is registered as {registered[r.uscc]}: its holder record carries that name",
            f"input[{index}].name",
        )
        for index, r in enumerate(records)
        if r.uscc in registered and not same_name(r.name, registered[r.uscc])
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def refuse_other_holder_names(
    store: GraphStore, records: Sequence[InstitutionRecord], registered: Sequence[str]
) -> None:
    """The other way round: a body wrote the holder record of a lab not yet registered,
    under a false name, and the lab registered later kept it (the same review). A new
    institution registers under its holder record's name; a record with another name is
    corrected first, by its keeper or its regulator. ``registered``: the USCCs of
    institutions already stored (renaming one is not checked: its holder record is renamed
    after it, by its keeper, to the new registered name)."""
    known = set(registered)
    new = [r for r in records if r.uscc not in known]
    holders = {o.uscc: o.name for o in await store.get_organizations([r.uscc for r in new])}
    problems = [
        FieldProblem(
            "HOLDER_NAME_DIFFERS",
            f"{r.uscc} holds certificates as {holders[r.uscc]}: correct its holder record "
            "first (upsertOrganizations, by the holder's keeper or regulator)",
            f"input[{index}].name",
        )
        for index, r in enumerate(records)
        if r.uscc in holders and r.uscc not in known and not same_name(r.name, holders[r.uscc])
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
