"""Input objects built by their plans (registry.schema.input_building) are what Strawberry's own
conversion builds from the same GraphQL values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import strawberry
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from registry.domain.vocabulary import (
    CertificateFamily,
    CertificateStatus,
    InstitutionKind,
    Ownership,
)
from registry.resolvers.root import build_schema
from registry.schema.inputs import CertificateInput, InstitutionInput, PersonInput
from registry.settings import Settings


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema(Settings(env="test"))


def _definition(cls: type) -> StrawberryObjectDefinition:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryObjectDefinition)
    return definition


def _strawberrys_own(schema: strawberry.Schema, cls: type, value: dict[str, Any]) -> Any:
    """What Strawberry builds with no hook on ``cls`` (nor on the inputs inside it)."""
    definitions = [_definition(c) for c in (cls, PersonInput)]
    hooks = [d.from_input for d in definitions]
    try:
        for definition in definitions:
            definition.from_input = None
        return _convert(schema, cls, value)
    finally:
        for definition, hook in zip(definitions, hooks, strict=True):
            definition.from_input = hook


def _convert(schema: strawberry.Schema, cls: type, value: dict[str, Any]) -> Any:
    return convert_argument(value, cls, schema.schema_converter.scalar_registry, schema.config)


def _values() -> Iterator[tuple[type, dict[str, Any]]]:
    """GraphQL values as graphql-core hands them over: enums and dates parsed, fields the
    client left out absent, explicit nulls present."""
    yield (
        CertificateInput,
        {
            "number": "CN-1",
            "family": CertificateFamily.MANAGEMENT_SYSTEM,
            "standard": "GB/T 19001-2016",
            "scope": "检验检测服务",
            "issuedOn": date(2026, 1, 2),
            "expiresOn": date(2029, 1, 1),
            "issuer": "121101064193791361",
            "holder": "12210211760664248H",
            "status": CertificateStatus.SUSPENDED,
            "statusReason": None,
        },
    )
    yield (
        InstitutionInput,
        {
            "uscc": "121101064193791361",
            "name": "检测中心",
            "kinds": [InstitutionKind.INSPECTION_TESTING],
            "region": "110000",
            "legalRepresentative": {"name": "张三", "idNumber": None},
            "founded": date(2001, 5, 6),
            "ownership": Ownership.STATE,
            "associations": ["51100000500000000X"],
        },
    )
    yield (InstitutionInput, {"uscc": "1", "name": "n", "kinds": [], "region": "110000"})


@pytest.mark.parametrize(("cls", "value"), list(_values()))
def test_a_planned_input_is_the_one_strawberry_builds(
    schema: strawberry.Schema, cls: type, value: dict[str, Any]
) -> None:
    assert _definition(cls).from_input is not None
    built = _convert(schema, cls, value)
    assert type(built) is cls
    assert built == _strawberrys_own(schema, cls, value)


def test_a_planned_input_copies_lists_so_a_shared_default_cannot_leak(
    schema: strawberry.Schema,
) -> None:
    kinds = [InstitutionKind.INSPECTION_TESTING]
    value = {"uscc": "1", "name": "n", "kinds": kinds, "region": "110000"}
    built = _convert(schema, InstitutionInput, value)
    assert built.kinds == kinds
    assert built.kinds is not kinds


def test_a_nested_input_is_built_as_its_own_type(schema: strawberry.Schema) -> None:
    value = {"uscc": "1", "name": "n", "kinds": [], "region": "1", "legalRepresentative": None}
    assert _convert(schema, InstitutionInput, value).legal_representative is None
    value["legalRepresentative"] = {"name": "李四"}
    person = _convert(schema, InstitutionInput, value).legal_representative
    assert person == PersonInput(name="李四", id_number=None)


def test_every_input_type_of_the_schema_has_its_plan(schema: strawberry.Schema) -> None:
    inputs = [
        t.definition
        for t in schema.schema_converter.type_map.values()
        if isinstance(t.definition, StrawberryObjectDefinition) and t.definition.is_input
    ]
    assert inputs
    assert all(definition.from_input is not None for definition in inputs)
