"""Leaf fields read straight off their objects.

graphql-core spends about 4 µs on every field it resolves (resolve info, path, completion),
which made a feed page of 1,000 changes with nine fields each cost ~90 ms. A field that
strawberry itself resolves as a plain attribute read (no resolver, no extension, no
arguments) and whose type is a scalar or an enum is done here as that same read and the
type's own output coercion. Anything else, and any value that would be an error (null in a
non-null field, a value the type cannot coerce), goes through the normal path, which then
produces the same result or error as ever.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

__all__ = ["LeafReadingExecutionContext"]

# (read the value, coerce it, may it be null); None: the field takes the normal path.
_Leaf = tuple[Callable[[Any], Any], Callable[[Any], Any], bool] | None
_FieldPlans = list[tuple[str, FieldDetailsList, _Leaf]]


def _leaf(parent_type: GraphQLObjectType, details: FieldDetailsList) -> _Leaf:
    """How to read the field ``details`` name on ``parent_type`` directly, when it is such
    a field."""
    node = details[0].node
    field = parent_type.fields.get(node.name.value)
    if field is None or field.args or node.arguments:
        return None
    definition = field.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr or not definition.python_name:
        return None
    if not getattr(field.resolve, "_is_default", False):  # strawberry's plain read
        return None
    kind = field.type
    nullable = not isinstance(kind, GraphQLNonNull)
    inner = kind if nullable else kind.of_type
    if not is_leaf_type(inner):
        return None
    return attrgetter(definition.python_name), inner.coerce_output_value, nullable


class LeafReadingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields read directly."""

    _plans: dict[int, tuple[GroupedFieldSet, _FieldPlans]] | None = None

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _FieldPlans:
        """Worked out once for each selection of a request: graphql-core hands the same
        field set for every item of a list."""
        if self._plans is None:
            self._plans = {}
        known = self._plans.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        plans = [(name, details, _leaf(parent_type, details)) for name, details in fields.items()]
        self._plans[id(fields)] = (fields, plans)
        return plans

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        direct: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, details, plan in self._plan(parent_type, grouped_field_set):
            if plan is None:
                rest[response_name] = details
                continue
            read, coerce, nullable = plan
            value = read(source_value)
            if value is None and nullable:
                direct[response_name] = None
                continue
            try:
                coerced = None if isinstance(value, Exception) else coerce(value)
            except Exception:
                coerced = None
            if coerced is None or coerced is Undefined:
                rest[response_name] = details  # the normal path says what is wrong
            else:
                direct[response_name] = coerced
        if not rest:
            return direct
        return self._with_rest(
            parent_type, source_value, path, grouped_field_set, rest, direct, position_context
        )

    def _with_rest(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        rest: GroupedFieldSet,
        direct: dict[str, Any],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The other fields the normal way, then every field in the order asked for."""
        executed = super().execute_fields(parent_type, source_value, path, rest, position_context)

        def ordered(results: dict[str, Any]) -> dict[str, Any]:
            merged = {**direct, **results}
            return {name: merged[name] for name in grouped_field_set if name in merged}

        if not self.is_awaitable(executed):
            return ordered(executed)  # type: ignore[arg-type]

        async def later() -> dict[str, Any]:
            return ordered(await executed)

        return later()
