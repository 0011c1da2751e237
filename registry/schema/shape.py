"""How much an operation asks for, measured before it is validated or run, in time linear in
the document.

Each fragment is measured once, after the fragments it spreads, and a spread adds what its
fragment measured: ``fragment F0 on Query { ...F1 ...F1 }`` and so on for k levels costs k
steps, not 2^k. A fragment that spreads itself, directly or through others, is a cycle and
is refused (the executor would loop on it too).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)

from registry.domain.anomalies import MAX_ANOMALY_SCAN
from registry.records.base import MAX_BATCH
from registry.schema.documents import operation_and_fragments

__all__ = [
    "DEFAULT_PAGE",
    "LIST_SIZE",
    "FragmentCycle",
    "Shape",
    "list_fields",
    "measure",
    "page_value",
    "page_variables",
    "query_cost",
    "validated",
]

DEFAULT_PAGE = 100  # what a connection returns when ``first`` is not given
# What a list without pages (a record's history, an institution's accreditations, a batch's
# records) is charged per item it may hold: they nest, and counted as one object each, ten
# levels of them returned 60 million objects at cost 10. A list that may be long (a group's
# members) takes a page size instead, charged as given or as its default; each item of a
# list is an object and counts, or a list of 399 members nested three deep returned 64
# million objects at cost 842 and held the server past its time limit.
LIST_SIZE = 20
_LONGEST_PAGE_LITERAL = 18  # digits; anything longer is a page past every budget anyway
_PAST_EVERY_BUDGET = 1_000_000_000_000_000_000
_NO_DEFAULTS: Mapping[str, ValueNode] = MappingProxyType({})
# Fields that read far more than they return, charged for what they read: an anomaly report
# scans up to MAX_ANOMALY_SCAN certificates and their verification facts, charged so that one
# fits a query's budget and two do not (aliased, fifteen tied the store up for the request's 30 s).
# An institution's supervision class and data quality judge the certificates it issued in
# the years they read: a page of 100 bodies' classes took 3.3 s of CPU, anonymous, at a
# cost of 200 (twenty-fifth session's review); each now costs 900, 55 to a query.
_READS = {"anomalies": 8 * MAX_ANOMALY_SCAN, "supervisionClass": 900, "dataQuality": 900}
_COUNTED = 1_000  # fields under one name counted in one selection set: past every limit
_COMPARED = 10**9  # comparisons counted: past every limit
_NONE: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection asks for once every fragment spread is written out in full."""

    cost: int = 0  # objects it could return: each page multiplies what is inside it
    fields: int = 0  # fields, leaves included (the work of any walk over the selection)
    depth: int = 0  # the longest chain of fields with selections (introspection aside)
    aliases: int = 0  # aliased fields
    edges: bool = False  # an ``edges`` field at its top: it is a connection's page
    # The most fields validation merges into one group (one name in one selection set, and
    # below them the fields of one name in all of theirs, fragments written out): it
    # compares a group pairwise, so 490 fields of one name, or 7 of one name in each of 7
    # in each of 7, held the one validating thread 0.7-0.9 s.
    repeated: int = 0
    # The fields validation compares pair by pair: in each group, each pair of fields and
    # the fields beneath them. 32 alike fragments of ~30 fields each, no name merged more
    # than 32 times, took it 0.1-0.8 s (twenty-third session's review).
    compared: int = 0

    def beside(self, other: Shape) -> Shape:
        """Two selections side by side in one selection set."""
        return Shape(
            cost=self.cost + other.cost,
            fields=self.fields + other.fields,
            depth=max(self.depth, other.depth),
            aliases=self.aliases + other.aliases,
            edges=self.edges or other.edges,
            repeated=max(self.repeated, other.repeated),
            compared=min(self.compared + other.compared, _COMPARED),
        )


class FragmentCycle(Exception):
    """A fragment spreads itself (through ``via``, when not directly)."""

    def __init__(self, name: str, via: list[str]) -> None:
        path = f" via {', '.join(repr(n) for n in via)}" if via else ""
        super().__init__(f"Cannot spread fragment '{name}' within itself{path}.")


@functools.lru_cache(maxsize=4)  # one schema per app: read once
def list_fields(schema: GraphQLSchema) -> Mapping[str, int]:
    """The names of the fields of ``schema`` that return a list of objects (a connection's
    ``edges`` aside: its field's page counts it), each with the items it is charged when it
    does not say: the default of its page size (``first``), else ``LIST_SIZE``. The walk is
    by name, before validation, so a name that is such a list on any type counts as one
    everywhere, at its largest. Introspection's lists are left out: the schema bounds them,
    not the data."""
    sizes: dict[str, int] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            returned = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if (
                isinstance(returned, GraphQLList)
                and isinstance(get_named_type(returned), GraphQLObjectType)
                and name != "edges"
            ):
                page = field.args.get("first")
                default = page.default_value if page is not None else LIST_SIZE
                size = default if isinstance(default, int) else DEFAULT_PAGE
                sizes[name] = max(size, sizes.get(name, 0))
    return MappingProxyType(sizes)


def measure(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object],
    lists: Mapping[str, int] = _NONE,
) -> Shape:
    """The shape of the operation that would run (empty when none would); FragmentCycle
    when a fragment it reaches spreads itself. ``lists``: the fields that return lists of
    objects, with the items each is charged when it does not say (``list_fields``)."""
    operation, fragments = operation_and_fragments(document, operation_name)
    if operation is None:
        return Shape()
    defaults = {
        d.variable.name.value: d.default_value
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    walk = _Walk(fragments, variables, lists, defaults)
    walk.fragments_under(operation.selection_set)
    if operation.operation is OperationType.MUTATION:
        return walk.selections(operation.selection_set, batches=True)
    return walk.selections(operation.selection_set)


def validated(document: DocumentNode, lists: Mapping[str, int] = _NONE) -> Shape:
    """What validation compares in the whole document, whichever operation runs: it checks
    every operation and every fragment, so a second operation or a fragment never spread
    held the validating thread 0.2-0.4 s unmeasured (twenty-third session's review). Only
    ``repeated`` (the most of any) and ``compared`` (summed, each fragment counted where it
    is defined and again where it is spread) are set. FragmentCycle as ``measure``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(fragments, {}, lists)
    every = SelectionSetNode(
        selections=tuple(FragmentSpreadNode(name=NameNode(value=name)) for name in fragments)
    )
    shapes = walk.fragments_under(every)
    shapes += [
        walk.selections(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    return Shape(
        repeated=max((shape.repeated for shape in shapes), default=0),
        compared=min(sum(shape.compared for shape in shapes), _COMPARED),
    )


def query_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object],
    lists: Mapping[str, int] = _NONE,
) -> int:
    """How many objects the operation could return at most: each object field, and each
    item of a list in ``lists``, counts once for every item of the pages around it, and a
    page (``first``, or the default page of a connection that does not say, or the size
    ``lists`` gives a list) multiplies what is inside it."""
    return measure(document, operation_name, variables, lists).cost


@dataclass(slots=True)
class _Top:
    """The fields at the top of a selection set, fragments written out: how many answer
    under each name, and the largest group of fields merged beneath that name."""

    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    beneath: dict[str, int] = dataclasses.field(default_factory=dict)
    sizes: dict[str, int] = dataclasses.field(default_factory=dict)  # the largest subtree

    def add(self, name: str, count: int, beneath: int, size: int) -> None:
        self.counts[name] = min(self.counts[name] + count, _COUNTED)
        self.beneath[name] = max(self.beneath.get(name, 0), beneath)
        self.sizes[name] = max(self.sizes.get(name, 0), size)

    def merge(self, other: _Top) -> None:
        for name, count in other.counts.items():
            self.add(name, count, other.beneath[name], other.sizes[name])

    @property
    def compared(self) -> int:
        """What validation compares in this selection set's groups: each pair of a name's
        fields, with every field beneath them (an upper bound, reached when they are alike)."""
        pairs = sum(c * (c - 1) // 2 * self.sizes[n] for n, c in self.counts.items())
        return min(pairs, _COMPARED)

    @property
    def merged(self) -> int:
        """The most fields validation merges into one group from here down: each name's
        count times the most merged beneath it (an upper bound, reached when the fields
        of one name are alike)."""
        most = max((c * self.beneath[n] for n, c in self.counts.items()), default=0)
        return min(most, _COUNTED)


class _Walk:
    """Measures selection sets whose fragments are measured already (``measured``)."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
        lists: Mapping[str, int],
        defaults: Mapping[str, ValueNode] = _NO_DEFAULTS,
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults  # the operation's own variable defaults, as written
        self.lists = lists
        self.measured: dict[str, Shape] = {}
        self.remeasured: dict[tuple[str, bool, bool], Shape] = {}
        self.named: dict[str, _Top] = {}  # the fields at each fragment's top

    def fragments_under(self, root: SelectionSetNode) -> list[Shape]:
        """Measure the fragments ``root`` reaches, each after those it spreads (FragmentCycle
        when one spreads itself); their shapes, in that order."""
        found = []
        for name in _in_spread_order(root, self.fragments):
            shape, top = self.top(self.fragments[name].selection_set)
            self.named[name] = top
            compared = min(shape.compared + top.compared, _COMPARED)
            self.measured[name] = dataclasses.replace(shape, repeated=top.merged, compared=compared)
            found.append(self.measured[name])
        return found

    def selections(
        self, selection_set: SelectionSetNode, *, batches: bool = False, rows: bool = False
    ) -> Shape:
        """``batches``: the root of a mutation, whose fields answer with a batch's rows;
        ``rows``: such an answer, whose lists hold a row each (up to ``MAX_BATCH``)."""
        shape, top = self.top(selection_set, batches=batches, rows=rows)
        compared = min(shape.compared + top.compared, _COMPARED)
        return dataclasses.replace(shape, repeated=top.merged, compared=compared)

    def top(
        self, selection_set: SelectionSetNode, *, batches: bool = False, rows: bool = False
    ) -> tuple[Shape, _Top]:
        """The shape of ``selection_set`` and the fields at its top, inline fragments and
        (each once, as validation collects them) the fragments spread there written out."""
        total, top = Shape(), _Top()
        spread: set[str] = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                shape = self._field(selection, batches=batches, rows=rows)
                name = (selection.alias or selection.name).value
                top.add(name, 1, max(shape.repeated, 1), shape.fields)
            elif isinstance(selection, InlineFragmentNode):
                shape, inline = self.top(selection.selection_set, batches=batches, rows=rows)
                top.merge(inline)
            elif isinstance(selection, FragmentSpreadNode):  # unknown ones: validation says
                name = selection.name.value
                shape = self._spread(name, batches=batches, rows=rows)
                if name not in spread and name in self.named:
                    spread.add(name)
                    top.merge(self.named[name])
            total = total.beside(shape)
        return total, top

    def _spread(self, name: str, *, batches: bool, rows: bool) -> Shape:
        """A fragment as measured, or measured again at a mutation's first two levels,
        whose lists are charged a batch (once per spread there; deeper, as measured)."""
        fragment = self.fragments.get(name)
        if not (batches or rows) or fragment is None:
            return self.measured.get(name, Shape())
        key = (name, batches, rows)  # once each, or spreads of spreads are walked 2^k times
        if key not in self.remeasured:
            self.remeasured[key] = self.selections(
                fragment.selection_set, batches=batches, rows=rows
            )
        return self.remeasured[key]

    def _field(self, field: FieldNode, *, batches: bool = False, rows: bool = False) -> Shape:
        aliased = int(field.alias is not None)
        connection = field.name.value == "edges"
        if field.selection_set is None:
            return Shape(fields=1, aliases=aliased, edges=connection)
        inner = self.selections(field.selection_set, rows=batches)
        introspection = field.name.value.startswith("__")
        items = int(field.name.value in self.lists and not inner.edges)  # a list's own objects
        page = MAX_BATCH if rows and items and not _first(field) else self._page(field, inner)
        return Shape(
            cost=1 + page * (inner.cost + items) + _READS.get(field.name.value, 0),
            fields=1 + inner.fields,
            depth=0 if introspection else 1 + inner.depth,
            aliases=aliased + inner.aliases,
            edges=connection,
            repeated=inner.repeated,
            compared=inner.compared,
        )

    def _page(self, field: FieldNode, inner: Shape) -> int:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                # Left out, a variable is its default as the operation writes it (the
                # executor's reading): charged 100, ``query($n: Int = 1000)`` nested two
                # pages of 1,000 and held the server four minutes (twenty-fourth review).
                name = value.name.value
                if name in self.variables:
                    given = page_value(self.variables[name])
                    return DEFAULT_PAGE if given is None else max(1, given)
                value = self.defaults.get(name, value)
            if isinstance(value, IntValueNode):
                digits = value.value.lstrip("-")
                if len(digits) > _LONGEST_PAGE_LITERAL:
                    return _PAST_EVERY_BUDGET
                return max(1, int(value.value))
            break  # left out with no default: as if ``first`` were not given
        if inner.edges:
            return DEFAULT_PAGE
        return self.lists.get(field.name.value, 1)


def _first(field: FieldNode) -> bool:
    return any(argument.name.value == "first" for argument in field.arguments or ())


def page_value(value: object) -> int | None:
    """A page-size variable's value as the executor will read it: a whole number, also when
    sent as ``1000.0`` (coerced to Int); anything else is no page size (refused later)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def page_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables anywhere in ``document`` that give a page size (``first: $n``): the
    only variables a shape depends on, sorted."""
    names: set[str] = set()
    pending = [
        definition.selection_set
        for definition in document.definitions
        if isinstance(definition, ExecutableDefinitionNode)
    ]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.update(
                    argument.value.name.value
                    for argument in selection.arguments or ()
                    if argument.name.value == "first" and isinstance(argument.value, VariableNode)
                )
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return tuple(sorted(names))


def _in_spread_order(
    root: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """The fragments ``root`` reaches, each after every fragment it spreads: a depth-first
    walk with its own stack (a chain of fragments is as long as the document allows)."""
    order: list[str] = []
    done: set[str] = set()
    path: list[str] = []  # the fragments being walked, outermost first
    stack: list[Iterator[str]] = [_spreads(root)]
    while stack:
        name = next(stack[-1], None)
        if name is None:
            stack.pop()
            if path:
                finished = path.pop()
                done.add(finished)
                order.append(finished)
            continue
        if name not in fragments or name in done:
            continue
        if name in path:
            raise FragmentCycle(name, path[path.index(name) + 1 :])
        path.append(name)
        stack.append(_spreads(fragments[name].selection_set))
    return order


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """The names of the fragments spread anywhere inside ``selection_set``."""
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
