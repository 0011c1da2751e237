"""Persisted documents answered without the GraphQL executor, when nothing in them needs it.

A public lookup by a shipped persisted document (``registry/persisted/``) runs the same
resolver and reads the same store as through GraphQL; what graphql-core and strawberry add
around it (extension hooks, resolve infos, awaitable checks on ~40 plain attributes) cost
three times the lookup itself. A plan is made once per document, at start, and only when
the whole document is plain data below a root field listed in ``ROOTS``: one operation, no
fragments, directives or introspection, no argument below the root, no field with a resolver
or a permission, every type an object type or a leaf, and the document valid and within the
configured depth, alias and cost limits. Running a plan coerces the variables as the
executor does and serialises every leaf with the schema's own type, so the answer is the
executor's, byte for byte (``tests/api/test_direct_plans.py`` compares them). Whatever the
plan is not sure of - variables that do not coerce, text no store can carry, a null where
the schema says non-null, any exception - it gives back (``None``), and the request goes
through GraphQL as if the plan did not exist: errors, their masking and codes stay there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
    Undefined,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.base import StrawberryObjectDefinition

from registry.context import Context
from registry.domain.vocabulary import Role
from registry.resolvers.verification import verification_for
from registry.schema.guards import shape_refusal, variables_refusal
from registry.schema.shape import list_fields, measure
from registry.settings import Settings

__all__ = ["ROOTS", "DirectPlan", "plan_for"]

# Root query fields a plan may call: the resolver's own work, given the context and the
# arguments by their Python names.
ROOTS: dict[str, Callable[..., Awaitable[object]]] = {"verifyCertificate": verification_for}

_DEFINITION = "strawberry-definition"


class _GiveBack(Exception):
    """The plan is not sure: let GraphQL answer."""


# A selection, compiled: (response key, Python attribute, how to write its value).
_Field = tuple[str, str, "_Writer"]
_Writer = Callable[[object], object]


@dataclass(frozen=True, slots=True)
class DirectPlan:
    """One persisted query, compiled."""

    name: str | None  # the operation's name, for the metrics
    root_key: str
    root: Callable[..., Awaitable[object]]
    root_arguments: dict[str, str]  # GraphQL argument name -> the resolver's parameter
    _field_node: FieldNode
    _root_field: GraphQLField
    _operation: OperationDefinitionNode
    _schema: strawberry.Schema
    _write: _Writer

    async def run(self, context: Context, variables: Mapping[str, Any] | None) -> object | None:
        """``{"data": ...}`` as the executor would answer, or None to let GraphQL answer."""
        given = dict(variables or {})
        anonymous = context.principal.role is Role.PUBLIC
        if variables_refusal(given, anonymous=anonymous) is not None:
            return None  # GraphQL refuses them
        schema = self._schema._schema
        definitions = self._operation.variable_definitions or ()
        coerced = get_variable_values(schema, definitions, given)
        if isinstance(coerced, list):  # the executor's errors, said by GraphQL
            return None
        try:
            arguments = get_argument_values(self._root_field, self._field_node, coerced)
            found = await self.root(
                context, **{self.root_arguments[k]: v for k, v in arguments.items()}
            )
            return {"data": {self.root_key: self._write(found)}}
        except Exception:  # GraphQL answers, masks and codes every failure
            return None


def plan_for(
    schema: strawberry.Schema, document: DocumentNode, settings: Settings
) -> DirectPlan | None:
    """A plan for ``document`` (already validated against ``schema``), or None when some
    part of it needs the executor or it breaks a limit."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(document.definitions) != 1:
        return None
    operation = operations[0]
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    shape = measure(document, None, {}, list_fields(schema._schema))
    if shape_refusal(shape, settings, None) is not None:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    node = selections[0]
    root = ROOTS.get(node.name.value)
    query = schema._schema.query_type
    if root is None or query is None or node.directives:
        return None
    definition = query.extensions.get(_DEFINITION)
    if not isinstance(definition, StrawberryObjectDefinition):
        return None
    field = next(
        (
            f
            for f in definition.fields
            if schema.config.name_converter.from_field(f) == node.name.value
        ),
        None,
    )
    if field is None or field.permission_classes or field.extensions:
        return None
    parameters = {
        schema.config.name_converter.from_argument(a): a.python_name for a in field.arguments
    }
    try:
        write = _writer(schema, query.fields[node.name.value].type, node)
    except _GiveBack:
        return None
    return DirectPlan(
        name=operation.name.value if operation.name else None,
        root_key=(node.alias or node.name).value,
        root=root,
        root_arguments=parameters,
        _field_node=node,
        _root_field=query.fields[node.name.value],
        _operation=operation,
        _schema=schema,
        _write=write,
    )


def _writer(schema: strawberry.Schema, kind: GraphQLOutputType, node: FieldNode) -> _Writer:
    """How to write a value of ``kind`` selected by ``node``; _GiveBack when it cannot."""
    if isinstance(kind, GraphQLNonNull):
        inner = _writer(schema, kind.of_type, node)

        def non_null(value: object) -> object:
            if value is None:
                raise _GiveBack  # the executor's error, said by GraphQL
            return inner(value)

        return non_null
    if isinstance(kind, GraphQLList):
        item = _writer(schema, kind.of_type, node)
        return _nullable(lambda value: [item(v) for v in _iterable(value)])
    if isinstance(kind, GraphQLScalarType | GraphQLEnumType):
        if node.selection_set is not None:
            raise _GiveBack
        return _nullable(_leaf(kind))
    if isinstance(kind, GraphQLObjectType) and node.selection_set is not None:
        fields = _fields(schema, kind, node)
        return _nullable(
            lambda value: {
                key: write(getattr(value, attribute)) for key, attribute, write in fields
            }
        )
    raise _GiveBack


def _fields(schema: strawberry.Schema, kind: GraphQLObjectType, node: FieldNode) -> list[_Field]:
    definition = kind.extensions.get(_DEFINITION)
    if not isinstance(definition, StrawberryObjectDefinition) or node.selection_set is None:
        raise _GiveBack
    by_name = {schema.config.name_converter.from_field(f): f for f in definition.fields}
    out: list[_Field] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            raise _GiveBack
        name = selection.name.value
        key = (selection.alias or selection.name).value
        field = by_name.get(name)
        if field is None or field.base_resolver is not None or field.permission_classes:
            raise _GiveBack
        if field.extensions or any(k == key for k, _, _ in out):
            raise _GiveBack
        out.append((key, field.python_name, _writer(schema, kind.fields[name].type, selection)))
    return out


def _leaf(kind: GraphQLScalarType | GraphQLEnumType) -> _Writer:
    def write(value: object) -> object:
        serialized = kind.serialize(value)
        if serialized is None or serialized is Undefined:  # the executor's error
            raise _GiveBack
        return serialized

    return write


def _nullable(write: _Writer) -> _Writer:
    return lambda value: None if value is None else write(value)


def _iterable(value: object) -> list[object]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise _GiveBack
    return list(value)
