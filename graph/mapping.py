"""Translate between frozen models and graph properties (camelCase, ISO dates, lists)."""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Hashable, Mapping
from datetime import date
from typing import TypeVar

from graph.models import Institution, Person, StatusChange

__all__ = ["camel", "from_row", "institution_from_row", "steps_from", "stored_fields", "to_props"]

# A record's status history is read with it (a list of maps), never stored as a property.
_HISTORY = "history"

T = TypeVar("T")


@functools.cache  # a few dozen field names, converted for every row read or written
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@functools.cache
def _date_fields(cls: type) -> frozenset[str]:
    hints = typing.get_type_hints(cls)
    return frozenset(
        name for name, hint in hints.items() if hint is date or date in typing.get_args(hint)
    )


@functools.cache
def stored_fields(cls: Hashable, exclude: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(field, property) names a model of ``cls`` stores: a bulk load converts millions."""
    return tuple(
        (f.name, camel(f.name))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name not in exclude and f.name != _HISTORY
    )


def to_props(model: object, *, exclude: frozenset[str] = frozenset()) -> dict[str, object]:
    """Properties to store for ``model``: camelCase names, ISO dates, lists for tuples."""
    props: dict[str, object] = {}
    for name, prop in stored_fields(type(model), exclude):  # type: ignore[arg-type]
        value = getattr(model, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        props[prop] = value
    return props


# How from_row treats a field (by its place in the plan, not a lookup per row).
_PLAIN, _DATE, _STEPS = 0, 1, 2


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str, int, object], ...]:
    """(field, column, treatment, default) of every field of ``cls``: worked out once per
    class, as every read and an import of millions of records build models row by row."""
    dates = _date_fields(cls)
    return tuple(
        (
            f.name,
            camel(f.name),
            _STEPS if f.name == _HISTORY else _DATE if f.name in dates else _PLAIN,
            f.default,
        )
        for f in dataclasses.fields(cls)
    )


def from_row(cls: type[T], row: Mapping[str, object], **overrides: object) -> T:
    """Build ``cls`` from a result row whose columns are the camelCase field names."""
    values: dict[str, object] = {}
    for name, column, treatment, default in _plan(cls):  # type: ignore[arg-type]
        if overrides and name in overrides:
            values[name] = overrides[name]
            continue
        if column not in row:
            continue
        value = row[column]
        if treatment == _STEPS:
            value = steps_from(value)
        elif value is None and default is not dataclasses.MISSING:
            value = default
        elif treatment == _DATE and isinstance(value, str):
            value = date.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)


def steps_from(value: object) -> tuple[StatusChange, ...]:
    """A history read with its record (maps of StatusChange's columns), in recording order."""
    if not isinstance(value, list | tuple):
        return ()
    steps = (from_row(StatusChange, step) for step in value if isinstance(step, Mapping))
    return tuple(sorted(steps, key=lambda step: step.seq))


def institution_from_row(row: Mapping[str, object]) -> Institution:
    """An institution from its columns, with ``representative`` ({key, name}) as its legal
    representative and its associations in order."""
    person = row.get("representative")
    representative = (
        Person(key=str(person["key"]), name=str(person["name"]))
        if isinstance(person, Mapping)
        else None
    )
    associations = row.get("associations")
    return from_row(
        Institution,
        row,
        legal_representative=representative,
        associations=tuple(sorted(str(a) for a in associations))
        if isinstance(associations, list | tuple)
        else (),
    )
