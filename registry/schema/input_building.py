"""Input objects built from their GraphQL values by a plan made once per type.

Strawberry converts an input object field by field, resolving each field's type and GraphQL
name again for every value: 232 ms of a 1,000-certificate issue (``python -m bench.writes
--profile``). Almost every input field here is a scalar or an enum, which graphql-core has
already parsed, or a list of them. So each type gets a ``from_input`` hook (Strawberry's own
extension point for types that build themselves): a plan made on first use takes those
values as they come, copies the lists (as Strawberry does, so a default list shared between
requests is never handed out), and converts only the rest, nested input objects, the way
Strawberry does (``InputContext.convert``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING
from enum import Enum
from typing import Any

from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

__all__ = ["plan_inputs"]


class _Kind(Enum):
    AS_IS = "as is"  # a scalar or an enum, already parsed
    COPY = "copy"  # a list of those
    CONVERT = "convert"  # anything else: Strawberry converts it


# One field of a plan: its GraphQL name, its Python name, its type and how it is taken.
_Step = tuple[str, str, StrawberryType | type, _Kind]


def plan_inputs(definitions: Iterable[object]) -> None:
    """Give every input object definition among ``definitions`` that has none the hook. Not
    to types with ``Maybe`` fields: Strawberry checks their nulls only for types without it."""
    for definition in definitions:
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
            and not any(isinstance(field.type, StrawberryMaybe) for field in definition.fields)
        ):
            definition.from_input = _Builder(definition)


class _Builder:
    """``from_input`` for one input type: the plan is made on the first value, when the
    schema's scalars and name converter are known."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self._definition = definition
        self._plan: list[_Step] | None = None
        # As Strawberry does: a field with no default is None until the value sets it.
        self._unset = tuple(
            field.python_name
            for field in definition.fields
            if field.default_value is MISSING and field.default_factory is MISSING
        )

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        plan = self._plan if self._plan is not None else self._make_plan(context)
        built: dict[str, object] = dict.fromkeys(self._unset)
        for name, python_name, type_, kind in plan:
            if name not in value:
                continue
            item = value[name]
            if item is None or kind is _Kind.AS_IS:
                built[python_name] = item
            elif kind is _Kind.COPY:
                built[python_name] = list(item)
            else:
                built[python_name] = context.convert(item, type_, name)
        return cls(**built)

    def _make_plan(self, context: InputContext) -> list[_Step]:
        plan: list[_Step] = []
        for field in self._definition.fields:
            type_ = field.resolve_type(type_definition=self._definition)
            name = context.config.name_converter.from_field(field)
            plan.append((name, field.python_name, type_, _kind(type_, context)))
        self._plan = plan
        return plan


def _kind(type_: StrawberryType | type, context: InputContext) -> _Kind:
    type_ = _required(type_)
    if _leaf(type_, context):
        return _Kind.AS_IS
    if isinstance(type_, StrawberryList) and _leaf(_required(type_.of_type), context):
        return _Kind.COPY
    return _Kind.CONVERT


def _required(type_: StrawberryType | type) -> StrawberryType | type:
    return type_.of_type if isinstance(type_, StrawberryOptional) else type_


def _leaf(type_: StrawberryType | type, context: InputContext) -> bool:
    return (
        is_scalar(type_, context.scalar_registry)
        or has_enum_definition(type_)
        or isinstance(type_, StrawberryEnumDefinition)
    )
