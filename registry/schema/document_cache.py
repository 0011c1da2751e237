"""Parsed and validated documents: computed in a worker thread, cached by their text, and
bounded in bytes.

Parsing a 2 MB document of comments takes about half a second and validating a document of
a few hundred fields of one name about as long (GraphQL compares them pairwise). Done on the
event loop, a handful of such requests would stall every other one, health probes
included, and no timeout could fire. In a worker the loop stays free, and the request
timeout can give up on them. A parsed document weighs ~600 bytes a token in memory, so the
cache is bounded by that estimate as well as by entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from graphql import DocumentNode, GraphQLError, OperationType, Token, parse, print_ast
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from registry.schema.lru import BoundedLRU
from registry.schema.shape import FragmentCycle, Shape

__all__ = ["DocumentCache", "DocumentFacts", "OffLoopDocuments", "ParsedDocument"]

_BYTES_PER_TOKEN = 640  # measured: 360-620 bytes of AST nodes for each token parsed
_ENTRIES = 512
# One worker: the GIL runs one thread at a time, so more workers would not parse faster,
# only take more turns from the event loop. A request that gives up (its timeout) takes its
# queued work out of the queue with it.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-documents")

Rules = tuple[type, ...]
T = TypeVar("T")


ShapeKey = tuple[str | None, tuple[object, ...]]  # the operation, its page-size variables
OperationFacts = tuple[bool, OperationType | None, int]  # it exists, its type, its lookups


@dataclass(slots=True)
class DocumentFacts:
    """What the request guards (``registry.schema.guards``) found in the document itself,
    kept with it so the next request with the same text does not walk it again."""

    bad_text: bool  # a string literal holds NUL or a lone surrogate
    introspects: bool
    page_variables: tuple[str, ...]  # the variables a shape depends on (``first: $n``)
    fragments: int  # fragment definitions: validation compares them pairwise
    # What validation compares in the whole document (``shape.validated``), once measured.
    validated: Shape | FragmentCycle | None = None
    shapes: dict[ShapeKey, Shape | FragmentCycle] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedDocument:
    document: DocumentNode
    # The document printed back: documents that differ only in comments, whitespace or
    # commas have the same one (so they share a cached public answer).
    normal_form: str
    weight: int
    validated: tuple[Rules, list[GraphQLError]] | None = field(default=None)
    facts: DocumentFacts | None = field(default=None)
    # What the HTTP gate read of an operation, by its name (registry.http.gate).
    operations: dict[str | None, OperationFacts] = field(default_factory=dict)


@dataclass
class DocumentCache:
    """Documents by their text, parsed with the token limit; at most ``max_bytes``."""

    max_tokens: int
    max_bytes: int
    _cache: BoundedLRU[str, ParsedDocument] = field(init=False)

    def __post_init__(self) -> None:
        self._cache = BoundedLRU(max_entries=_ENTRIES, max_bytes=self.max_bytes)

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def weight(self) -> int:
        """Bytes held, by the estimate each entry was kept with."""
        return self._cache.weight

    def peek(self, text: str) -> ParsedDocument | None:
        """The document if it is cached (no parse)."""
        return self._cache.get(text)

    async def parsed(self, text: str) -> ParsedDocument:
        """The parsed document (GraphQLError when it does not parse)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        parsed = await _in_worker(self._parse, text)
        self._cache.put(text, parsed, parsed.weight)
        return parsed

    async def validated(
        self, parsed: ParsedDocument, rules: Rules, validate: Callable[[], list[GraphQLError]]
    ) -> list[GraphQLError]:
        """``validate()``'s errors for the document, run in a worker once per set of rules."""
        if parsed.validated is None or parsed.validated[0] != rules:
            parsed.validated = (rules, await _in_worker(validate))
        return list(parsed.validated[1])

    def _parse(self, text: str) -> ParsedDocument:
        document = parse(text, max_tokens=self.max_tokens)
        normal_form = print_ast(document)
        tokens = _tokens(document.loc.start_token if document.loc else None)
        weight = 2 * (len(text) + len(normal_form)) + tokens * _BYTES_PER_TOKEN
        return ParsedDocument(document, normal_form, weight)


async def _in_worker(work: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(_WORKER, work, *args)


def _tokens(token: Token | None) -> int:
    count = 0
    while token is not None:
        count += 1
        token = token.next
    return count


class OffLoopDocuments(SchemaExtension):
    """Strawberry's parse and validation steps, in a worker thread and through the cache.
    Guards that refuse a document first (``pre_execution_errors`` set) spare validation."""

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents
        self._parsed: ParsedDocument | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            self._parsed = await self.documents.parsed(context.query)
            context.graphql_document = self._parsed.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        parsed = self._parsed
        if context.pre_execution_errors is None and parsed is not None:
            schema = context.schema._schema
            rules = context.validation_rules
            context.pre_execution_errors = await self.documents.validated(
                parsed, rules, lambda: validate_document(schema, parsed.document, rules)
            )
        yield
