"""Request-shape guards that need the caller or the variables, so they cannot be plain
validation rules: text no store can carry (NUL, unpaired surrogates), the query cost
budget, introspection for anonymous callers in production, and no "Did you mean …?" hints
in any error.

The guards run before validation; an operation they refuse is not validated or executed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from registry.domain.vocabulary import Role
from registry.schema.documents import operation_and_fragments
from registry.schema.errors import PublicError

__all__ = ["RequestGuards", "carries_bad_text", "query_cost", "without_suggestions"]

DEFAULT_PAGE = 100  # what a connection returns when ``first`` is not given
_INTROSPECTION = frozenset({"__schema", "__type"})
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# NUL ends FalkorDB's parameter header, and a lone surrogate is not text in any encoding.
_UNCARRIABLE = re.compile("[\x00\ud800-\udfff]")


def without_suggestions(message: str) -> str:
    """The message without GraphQL's hints at names that do exist."""
    return _SUGGESTION.sub("", message)


def query_cost(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, object]
) -> int:
    """How many objects the operation could return at most: each object field counts once
    for every item of the pages around it, and a page (``first``, or the default page of a
    connection that does not say) multiplies what is inside it."""
    operation, fragments = operation_and_fragments(document, operation_name)
    if operation is None:
        return 0
    return _cost(operation.selection_set, 1, fragments, variables, set())


def _cost(
    selections: SelectionSetNode | None,
    multiplier: int,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, object],
    seen: set[str],
) -> int:
    total = 0
    for field, inner in _fields(selections, fragments, seen):
        if inner is not None:
            page = _page(field, inner, fragments, variables)
            total += multiplier + _cost(inner, multiplier * page, fragments, variables, seen)
    return total


def _fields(
    selections: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[tuple[FieldNode, SelectionSetNode | None]]:
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            yield selection, selection.selection_set
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:  # cycles are refused by validation
                yield from _fields(fragments[name].selection_set, fragments, {*seen, name})


def _page(
    field: FieldNode,
    inner: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, object],
) -> int:
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(1, int(value.value))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return max(1, given) if isinstance(given, int) else DEFAULT_PAGE
    connection = any(f.name.value == "edges" for f, _ in _fields(inner, fragments, set()))
    return DEFAULT_PAGE if connection else 1


def carries_bad_text(document: DocumentNode, variables: Mapping[str, object]) -> bool:
    """Whether a string in the document or the variables holds NUL or a lone surrogate."""
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> None:
            nonlocal found
            found = found or _UNCARRIABLE.search(node.value) is not None

    visit(document, Finder())
    return found or _bad_value(variables)


def _bad_value(value: object) -> bool:
    if isinstance(value, str):
        return _UNCARRIABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_bad_value(k) or _bad_value(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_bad_value(item) for item in value)
    return False


def _introspects(document: DocumentNode) -> bool:
    """Whether the document asks for the schema anywhere, fragments included
    (``__typename`` is not introspection)."""
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            found = found or node.name.value in _INTROSPECTION

    visit(document, Finder())
    return found


class RequestGuards(SchemaExtension):
    """Refuses, before validation: text no store can carry (INVALID_TEXT), operations over
    the cost budget (QUERY_TOO_COSTLY), and introspection by anonymous callers in production
    (INTROSPECTION_DISABLED). Removes
    suggestions from every error after the operation."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.pre_execution_errors:
            refusal = self._refusal(document)
            if refusal is not None:
                context.pre_execution_errors = [refusal]
        yield

    def _refusal(self, document: DocumentNode) -> PublicError | None:
        context = self.execution_context
        settings = context.context.settings
        anonymous = context.context.principal.role is Role.PUBLIC
        if carries_bad_text(document, context.variables or {}):
            return PublicError(
                "INVALID_TEXT", "text must not contain NUL characters or unpaired surrogates"
            )
        if settings.env == "production" and anonymous and _introspects(document):
            return PublicError("INTROSPECTION_DISABLED", "introspection needs an API key")
        cost = query_cost(document, context.operation_name, context.variables or {})
        if cost > settings.max_query_cost:
            return PublicError(
                "QUERY_TOO_COSTLY",
                f"the query could return {cost:,} objects; at most "
                f"{settings.max_query_cost:,} (ask for smaller pages)",
            )
        return None

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            error.message = without_suggestions(error.message)
