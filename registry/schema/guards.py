"""Request-shape guards that need the caller or the variables, so they cannot be plain
validation rules: text no store can carry (NUL, unpaired surrogates), introspection for
anonymous callers in production, the depth, alias and cost limits, and no "Did you mean
…?" hints in any error.

The guards run before validation, in time linear in the document (``registry.schema.shape``
measures each fragment once); an operation they refuse is not validated or executed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from graphql import DocumentNode, FieldNode, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from registry.domain.vocabulary import Role
from registry.schema.errors import PublicError
from registry.schema.shape import FragmentCycle, Shape, measure
from registry.settings import Settings

__all__ = [
    "RequestGuards",
    "carries_bad_text",
    "is_uncarriable",
    "without_suggestions",
]

_INTROSPECTION = frozenset({"__schema", "__type"})
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# NUL ends FalkorDB's parameter header, and a lone surrogate is not text in any encoding.
_UNCARRIABLE = re.compile("[\x00\ud800-\udfff]")


def without_suggestions(message: str) -> str:
    """The message without GraphQL's hints at names that do exist."""
    return _SUGGESTION.sub("", message)


def is_uncarriable(text: str) -> bool:
    """Whether ``text`` holds NUL or a lone surrogate, which no store can be sent."""
    return _UNCARRIABLE.search(text) is not None


def carries_bad_text(document: DocumentNode, variables: Mapping[str, object]) -> bool:
    """Whether a string in the document or the variables holds NUL or a lone surrogate."""
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> None:
            nonlocal found
            found = found or is_uncarriable(node.value)

    visit(document, Finder())
    return found or _bad_value(variables)


def _bad_value(value: object) -> bool:
    pending = [value]  # JSON may nest deeper than Python's recursion limit
    while pending:
        item = pending.pop()
        if isinstance(item, str) and is_uncarriable(item):
            return True
        if isinstance(item, Mapping):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            pending += item
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


def _shape_refusal(shape: Shape, settings: Settings, operation: str | None) -> PublicError | None:
    """The depth, alias and cost limits, checked on the measured shape."""
    if shape.depth > settings.max_query_depth:
        return PublicError(
            "QUERY_TOO_DEEP",
            f"'{operation or 'anonymous'}' exceeds maximum operation depth of "
            f"{settings.max_query_depth}",
        )
    if shape.aliases > settings.max_aliases:
        return PublicError(
            "TOO_MANY_ALIASES", f"{shape.aliases} aliases found. Allowed: {settings.max_aliases}"
        )
    if shape.fields > settings.max_query_cost:
        return PublicError(
            "QUERY_TOO_COSTLY",
            f"the query expands to {shape.fields:,} fields through its fragments; at most "
            f"{settings.max_query_cost:,}",
        )
    if shape.cost > settings.max_query_cost:
        return PublicError(
            "QUERY_TOO_COSTLY",
            f"the query could return {shape.cost:,} objects; at most "
            f"{settings.max_query_cost:,} (ask for smaller pages)",
        )
    return None


class RequestGuards(SchemaExtension):
    """Refuses, before validation: text no store can carry (INVALID_TEXT), introspection
    by anonymous callers in production (INTROSPECTION_DISABLED), fragments that spread
    themselves (GRAPHQL_VALIDATION_FAILED), and operations past the depth, alias or cost
    limits (QUERY_TOO_DEEP, TOO_MANY_ALIASES, QUERY_TOO_COSTLY). Removes suggestions from
    every error after the operation."""

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
        settings: Settings = context.context.settings
        anonymous = context.context.principal.role is Role.PUBLIC
        variables = context.variables or {}
        if carries_bad_text(document, variables):
            return PublicError(
                "INVALID_TEXT", "text must not contain NUL characters or unpaired surrogates"
            )
        if settings.env == "production" and anonymous and _introspects(document):
            return PublicError("INTROSPECTION_DISABLED", "introspection needs an API key")
        try:
            shape = measure(document, context.operation_name, variables)
        except FragmentCycle as cycle:
            return PublicError("GRAPHQL_VALIDATION_FAILED", str(cycle))
        return _shape_refusal(shape, settings, context.operation_name)

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            error.message = without_suggestions(error.message)
