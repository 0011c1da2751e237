"""Shared field types and the translation of pydantic errors into stable error codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from registry.domain.identifiers import normalise_identifier
from registry.domain.uscc import is_valid_uscc

__all__ = [
    "MAX_BATCH",
    "CertificateNumber",
    "FieldProblem",
    "Identifier",
    "Record",
    "RegionCode",
    "ShortText",
    "Text",
    "Uscc",
    "problems_from",
    "refuse",
]

MAX_BATCH = 1000


def _check_uscc(value: str) -> str:
    if not is_valid_uscc(value):
        raise PydanticCustomError(
            "INVALID_USCC",
            "not a valid unified social credit code (18 characters, GB 32100-2015 check digit)",
        )
    return value


def refuse(code: str, message: str, *, field: str) -> PydanticCustomError:
    """An error for a rule spanning several fields, naming the field people should fix."""
    return PydanticCustomError(code, message, {"field": field})


def _as_typed(value: object) -> object:
    """Text in its normal form; anything else is left for the type check to refuse."""
    return normalise_identifier(value) if isinstance(value, str) else value


Identifier = BeforeValidator(_as_typed)
"""Full width, lower case and spaces around name the same identifier (see the domain)."""
Uscc = Annotated[str, Identifier, AfterValidator(_check_uscc)]
RegionCode = Annotated[str, Field(pattern=r"^[1-8]\d{5}$")]
CertificateNumber = Annotated[str, Identifier, Field(pattern=r"^[A-Z0-9][A-Z0-9/-]{5,39}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=2000)]


class Record(BaseModel):
    """Strict, immutable input: unknown fields are errors, names are camelCase on the wire."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason an input was refused: a stable code, words for people, and where (and,
    for a stale expectedVersion, the version that is stored)."""

    code: str
    message: str
    field: str
    current_version: int | None = None


_CODES = {
    "missing": "REQUIRED",
    "extra_forbidden": "UNKNOWN_FIELD",
    "string_too_long": "TOO_LONG",
    "string_too_short": "TOO_SHORT",
    "string_pattern_mismatch": "INVALID_FORMAT",
    "too_long": "TOO_MANY",
    "too_short": "TOO_FEW",
    "enum": "INVALID_VALUE",
    "literal_error": "INVALID_VALUE",
    "greater_than": "OUT_OF_RANGE",
    "greater_than_equal": "OUT_OF_RANGE",
    "less_than": "OUT_OF_RANGE",
    "less_than_equal": "OUT_OF_RANGE",
    "date_from_datetime_parsing": "INVALID_DATE",
    "date_parsing": "INVALID_DATE",
    "date_type": "INVALID_DATE",
}


def _camel(part: str | int) -> str:
    return f"[{part}]" if isinstance(part, int) else to_camel(part)


def problems_from(error: ValidationError, *, prefix: str = "input") -> list[FieldProblem]:
    """Translate a pydantic error into problems whose field paths match the GraphQL input."""
    problems = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        code = kind if kind.isupper() else _CODES.get(kind, "INVALID_VALUE")
        location = list(item["loc"])
        named = (item.get("ctx") or {}).get("field")
        if named:
            location.extend(named.split("."))  # a rule may name a nested field
        path = prefix + "".join(
            _camel(p) if isinstance(p, int) else "." + _camel(p) for p in location
        )
        path = path.removeprefix(".")
        problems.append(FieldProblem(code=code, message=item["msg"], field=path))
    return problems


class VersionedRecord(Record):
    """A record of an entity with a version: ``expected_version`` makes the write conditional
    (0: the entity must not exist yet); it is checked, never stored."""

    expected_version: Annotated[int, Field(ge=0)] | None = None
