"""Expected reasons to write nothing, shaped for the API's error payloads."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

from pydantic import ValidationError

from registry.records import FieldProblem, Record, problems_from
from registry.records.base import MAX_BATCH

__all__ = ["Refusal", "RefusalKind", "validate_batch", "validate_one"]

R = TypeVar("R", bound=Record)


class RefusalKind(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


class Refusal(Exception):
    """The whole batch is refused for these problems; nothing was written."""

    def __init__(self, kind: RefusalKind, problems: Sequence[FieldProblem]) -> None:
        super().__init__(f"{kind}: " + "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.kind = kind
        self.problems = list(problems)


def validate_one(model: type[R], values: Mapping[str, object]) -> R:
    """One input object, validated whole: INVALID_INPUT with every problem otherwise."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise Refusal(RefusalKind.INVALID_INPUT, problems_from(exc)) from exc


def validate_batch(
    model: type[R],
    items: Sequence[Mapping[str, object]],
    *,
    key: Callable[[R], str],
    prefix: str = "input",
) -> list[R]:
    """Validate every row and report every problem at once; a key may appear only once."""
    if not items:
        raise Refusal(
            RefusalKind.INVALID_INPUT, [FieldProblem("TOO_FEW", "give at least one row", prefix)]
        )
    if len(items) > MAX_BATCH:
        raise Refusal(
            RefusalKind.INVALID_INPUT,
            [FieldProblem("TOO_MANY", f"at most {MAX_BATCH} rows per call", prefix)],
        )
    records: list[R] = []
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            problems.extend(problems_from(exc, prefix=f"{prefix}[{index}]"))
            continue
        identity = key(record)
        if identity in seen:
            problems.append(
                FieldProblem(
                    "DUPLICATE_IN_BATCH",
                    f"{identity} already appears at {prefix}[{seen[identity]}]",
                    f"{prefix}[{index}]",
                )
            )
        seen[identity] = index
        records.append(record)
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    return records
