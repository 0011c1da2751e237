"""Count the public lookups one GraphQL request asks for, aliases included.

Rate limits must count `a: verifyCertificate(...) b: verifyCertificate(...)` as two lookups,
or one request with a hundred aliases would walk the registry under a single hit.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    parse,
)

from registry.schema.documents import operation_and_fragments

__all__ = ["LOOKUP_FIELDS", "count_lookups"]

LOOKUP_FIELDS = frozenset(
    {"verifyCertificate", "verifyToken", "certificate", "searchCertificates", "organization"}
)


@lru_cache(maxsize=1024)
def count_lookups(document: str, operation_name: str | None) -> int:
    """Lookup fields at the root of the operation that would run (0 if it does not parse:
    the executor will answer that with its own error)."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return 0
    operation, fragments = operation_and_fragments(parsed, operation_name)
    return 0 if operation is None else _count(operation.selection_set, fragments, set())


def _count(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> int:
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            total += selection.name.value in LOOKUP_FIELDS
        elif isinstance(selection, InlineFragmentNode):
            total += _count(selection.selection_set, fragments, seen)
        else:  # a fragment spread; each fragment counted once, cycles ignored
            name = selection.name.value  # type: ignore[attr-defined]
            if name in fragments and name not in seen:
                seen.add(name)
                total += _count(fragments[name].selection_set, fragments, seen)
    return total
