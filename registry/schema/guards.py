"""Request-shape guards that need the caller or the variables, so they cannot be plain
validation rules: text no store can carry (NUL, unpaired surrogates), variables too many to
coerce (a list of ten batches, too many values, far fewer without a key), introspection for
anonymous callers in production, the depth, alias and cost limits, and no "Did you mean
…?" hints in any error.

The guards run before validation, in time linear in the document (``registry.schema.shape``
measures each fragment once); an operation they refuse is not validated or executed. What
they find in a cached document (``DocumentFacts``: its text, introspection, and its shape for
each operation and page size asked) is kept with it, so a hot document (a persisted one) is
walked once, not on every request; the variables are checked on every request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from registry.domain.vocabulary import Role
from registry.records.base import MAX_BATCH
from registry.schema.document_cache import DocumentCache, DocumentFacts
from registry.schema.errors import PublicError
from registry.schema.shape import (
    FragmentCycle,
    Shape,
    list_fields,
    measure,
    page_value,
    page_variables,
    validated,
)
from registry.settings import Settings

__all__ = [
    "RequestGuards",
    "is_uncarriable",
    "shape_refusal",
    "variables_refusal",
    "without_suggestions",
]

_INTROSPECTION = frozenset({"__schema", "__type"})
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# NUL ends FalkorDB's parameter header, and a lone surrogate is not text in any encoding.
_UNCARRIABLE = re.compile("[\x00\ud800-\udfff]")
_SHAPES_KEPT = 64  # shapes kept per document: one per page size asked, within reason
_LEFT_OUT = "left out"  # a page-size variable not sent: its default in the document
MAX_PUBLIC_VALUES = 10_000  # a complaint, a demand, a page of lookups hold far fewer
# A batch of 1,000 rows of 30 fields is 60,000 (keys counted); a body of 2 MB holds no
# realistic batch of more (a value and its key take 8 bytes or more).
MAX_VALUES = 300_000
# Ten batches: past any input's list, while a batch of 1,001 rows still gets its typed
# refusal on ``input`` from the mutation.
MAX_VARIABLE_LIST = 10 * MAX_BATCH


def _bad_text() -> PublicError:
    return PublicError(
        "INVALID_TEXT", "text must not contain NUL characters or unpaired surrogates"
    )


def without_suggestions(message: str) -> str:
    """The message without GraphQL's hints at names that do exist."""
    return _SUGGESTION.sub("", message)


def is_uncarriable(text: str) -> bool:
    """Whether ``text`` holds NUL or a lone surrogate, which no store can be sent."""
    return _UNCARRIABLE.search(text) is not None


def _bad_literal(document: DocumentNode) -> bool:
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> None:
            nonlocal found
            found = found or is_uncarriable(node.value)

    visit(document, Finder())
    return found


def variables_refusal(variables: object, *, anonymous: bool) -> PublicError | None:
    """INVALID_TEXT or TOO_MANY for variables no store can carry or too many to coerce,
    found in one walk that stops at the first: they are coerced on the event loop before
    any resolver can refuse them, and a 130,000-item list (1.8 MB) held it 0.75 s a
    request, then the walk of 990,000 numbers to refuse them 0.87 s. No input takes a list
    of ``MAX_VARIABLE_LIST`` items, no public form ``MAX_PUBLIC_VALUES`` values, and no
    batch that fits a body ``MAX_VALUES``."""
    most = MAX_PUBLIC_VALUES if anonymous else MAX_VALUES
    pending = [variables]  # JSON may nest deeper than Python's recursion limit
    count = 0
    while pending:
        item = pending.pop()
        count += 1
        if count > most:
            return PublicError(
                "TOO_MANY",
                f"the variables hold more than {most:,} values"
                + (" without an API key" if anonymous else ""),
            )
        if isinstance(item, str):
            if is_uncarriable(item):
                return _bad_text()
        elif isinstance(item, Mapping):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            if len(item) > MAX_VARIABLE_LIST:
                return PublicError(
                    "TOO_MANY",
                    f"a list in the variables holds {len(item):,} items; at most "
                    f"{MAX_VARIABLE_LIST:,}",
                )
            pending += item
    return None


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


def shape_refusal(shape: Shape, settings: Settings, operation: str | None) -> PublicError | None:
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
    if shape.repeated > settings.max_merged_fields:
        return PublicError(
            "QUERY_TOO_COSTLY",
            f"validation would merge {shape.repeated} fields of one name (fragments written "
            f"out) and compare them pairwise; at most {settings.max_merged_fields}",
        )
    if shape.compared > settings.max_compared_fields:
        return PublicError(
            "QUERY_TOO_COSTLY",
            f"validation would compare {shape.compared:,} fields pair by pair (fields of one "
            f"name, with what is beneath them); at most {settings.max_compared_fields:,}",
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
    """Refuses, before validation: text no store can carry (INVALID_TEXT), variables past
    their limits (TOO_MANY), introspection by anonymous callers in production
    (INTROSPECTION_DISABLED), fragments that spread themselves (GRAPHQL_VALIDATION_FAILED),
    and operations past the depth, alias or cost limits (QUERY_TOO_DEEP, TOO_MANY_ALIASES,
    QUERY_TOO_COSTLY). Removes suggestions from every error after the operation. With
    ``documents`` (the parse cache), what a cached document's walk found is kept with it."""

    def __init__(self, documents: DocumentCache | None = None) -> None:
        self.documents = documents

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
        facts = self._facts(document)
        if facts.bad_text:
            return _bad_text()
        if (refusal := variables_refusal(variables, anonymous=anonymous)) is not None:
            return refusal
        if settings.env == "production" and anonymous and facts.introspects:
            return PublicError("INTROSPECTION_DISABLED", "introspection needs an API key")
        if facts.fragments > settings.max_fragments:
            return PublicError(
                "QUERY_TOO_COSTLY",
                f"{facts.fragments} fragments: validation compares each pair of them; at most "
                f"{settings.max_fragments}",
            )
        lists = list_fields(context.schema._schema)
        shape = _shape(facts, document, context.operation_name, variables, lists)
        if isinstance(shape, FragmentCycle):
            return PublicError("GRAPHQL_VALIDATION_FAILED", str(shape))
        if (refusal := shape_refusal(shape, settings, context.operation_name)) is not None:
            return refusal
        if facts.validated is None:
            try:
                facts.validated = validated(document, lists)
            except FragmentCycle as cycle:
                facts.validated = cycle
        if isinstance(facts.validated, FragmentCycle):
            return PublicError("GRAPHQL_VALIDATION_FAILED", str(facts.validated))
        return shape_refusal(facts.validated, settings, context.operation_name)

    def _facts(self, document: DocumentNode) -> DocumentFacts:
        """The document's facts: kept with it when it is the cached parse of the query."""
        query = self.execution_context.query
        parsed = self.documents.peek(query) if self.documents and query else None
        if parsed is not None and parsed.document is document and parsed.facts is not None:
            return parsed.facts
        facts = DocumentFacts(
            bad_text=_bad_literal(document),
            introspects=_introspects(document),
            page_variables=page_variables(document),
            fragments=sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions),
        )
        if parsed is not None and parsed.document is document:
            parsed.facts = facts
        return facts

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            error.message = without_suggestions(error.message)


def _shape(
    facts: DocumentFacts,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object],
    lists: Mapping[str, int],
) -> Shape | FragmentCycle:
    """The operation's shape, measured once per operation and page sizes asked (only the
    page-size variables change it, read as ``page_value`` reads them)."""
    sizes = tuple(
        page_value(variables[name]) if name in variables else _LEFT_OUT
        for name in facts.page_variables
    )
    key = (operation_name, sizes)
    known = facts.shapes.get(key)
    if known is not None:
        return known
    try:
        shape: Shape | FragmentCycle = measure(document, operation_name, variables, lists)
    except FragmentCycle as cycle:
        shape = cycle
    if len(facts.shapes) < _SHAPES_KEPT:
        facts.shapes[key] = shape
    return shape
