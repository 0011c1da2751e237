"""Plain fields read straight off their objects.

graphql-core spends about 4 µs on every field it resolves (resolve info, path, completion),
which made a feed page of 1,000 changes with ten fields each cost ~90 ms. A field that
strawberry itself resolves as a plain attribute read (no resolver, no extension, no
arguments) is done here as that same read: a scalar or enum then takes its type's own output
coercion, an object (of a type with no ``is_type_of`` check) has its own fields executed
directly. Anything else, and any value that would be an error (null in a non-null field, a
value the type cannot coerce), goes through the normal path, which then produces the same
result or error as ever; an error inside an object read directly is handled as the normal
path handles it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

__all__ = ["LeafReadingExecutionContext"]


@dataclass(frozen=True, slots=True)
class _Direct:
    """How to do one field directly: ``coerce`` for a scalar or enum, ``object_type`` for
    an object."""

    read: Callable[[Any], Any]
    field_type: GraphQLOutputType
    nullable: bool
    coerce: Callable[[Any], Any] | None = None
    object_type: GraphQLObjectType | None = None


_FieldPlans = list[tuple[str, FieldDetailsList, _Direct | None]]


def _direct(parent_type: GraphQLObjectType, details: FieldDetailsList) -> _Direct | None:
    """How to do the field ``details`` name on ``parent_type`` directly, when it is a plain
    attribute read of a scalar, an enum or an object."""
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
    read = attrgetter(definition.python_name)
    if is_leaf_type(inner):
        return _Direct(read, kind, nullable, coerce=inner.coerce_output_value)
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return _Direct(read, kind, nullable, object_type=inner)
    return None


def _coerced(coerce: Callable[[Any], Any], value: Any) -> Any:
    """The type's output value, Undefined when it has none (an error on the normal path)."""
    try:
        coerced = coerce(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None else coerced


class LeafReadingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields read directly."""

    _plans: dict[int, tuple[GroupedFieldSet, _FieldPlans]] | None = None

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _FieldPlans:
        """Worked out once for each selection of a request: graphql-core hands the same
        field set for every item of a list."""
        if self._plans is None:
            self._plans = {}
        known = self._plans.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        plans = [(name, details, _direct(parent_type, details)) for name, details in fields.items()]
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
        waiting: list[str] = []  # objects whose fields are still running
        try:
            for name, details, plan in self._plan(parent_type, grouped_field_set):
                value = Undefined if plan is None else plan.read(source_value)
                if plan is None or value is Undefined or isinstance(value, Exception):
                    rest[name] = details
                elif value is None:
                    if plan.nullable:
                        direct[name] = None
                    else:
                        rest[name] = details  # the normal path says what is wrong
                elif plan.coerce is not None:
                    coerced = _coerced(plan.coerce, value)
                    if coerced is Undefined:
                        rest[name] = details
                    else:
                        direct[name] = coerced
                else:
                    field_path = Path(path, name, parent_type.name)
                    done = self._object(plan, details, field_path, value, position_context)
                    if self.is_awaitable(done):
                        waiting.append(name)
                    direct[name] = done
            if not rest and not waiting:
                return direct
            executed = super().execute_fields(
                parent_type, source_value, path, rest, position_context
            )
        except Exception:
            # As graphql-core does: objects already under way settle in the background.
            self.settle_in_background([direct[name] for name in waiting])
            raise
        return self._merged(grouped_field_set, direct, waiting, executed)

    def _object(
        self,
        plan: _Direct,
        details: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """An object's own fields, its errors handled as ``execute_field`` handles them."""
        assert plan.object_type is not None  # noqa: S101 - _direct made it so
        try:
            completed = self.collect_and_execute_subfields(
                plan.object_type, details, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, details, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def settled(completed: Awaitable[Any]) -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, plan.field_type, details, path)
                return None

        return settled(completed)

    def _merged(
        self,
        grouped_field_set: GroupedFieldSet,
        direct: dict[str, Any],
        waiting: list[str],
        executed: AwaitableOrValue[dict[str, Any]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        """Every field in the order asked for, once those still running have settled."""

        def ordered(results: dict[str, Any]) -> dict[str, Any]:
            merged = {**direct, **results}
            return {name: merged[name] for name in grouped_field_set if name in merged}

        if not waiting and not self.is_awaitable(executed):
            return ordered(executed)  # type: ignore[arg-type]

        async def later() -> dict[str, Any]:
            results = executed
            if self.is_awaitable(results):
                results = await results
            if waiting:
                settled = await gather_with_cancel(*(direct[name] for name in waiting))
                direct.update(zip(waiting, settled, strict=True))
            return ordered(results)  # type: ignore[arg-type]

        return later()
