"""Errors that are part of the schema: query errors with a stable code, mutation payloads."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.permission import BasePermission
from strawberry.types import Info

from graph import models
from graph.errors import BackendUnavailable
from registry.context import Context
from registry.domain.permissions import may_see_complaints, may_see_confidential
from registry.records import FieldProblem

__all__ = [
    "MASKED_MESSAGE",
    "STORE_UNAVAILABLE_MESSAGE",
    "Conflict",
    "InvalidInput",
    "MaskInternalErrors",
    "NotAuthorized",
    "NotFound",
    "Problem",
    "PublicError",
    "SeesComplaints",
    "SeesPersonalData",
    "SeesServiceEvaluations",
    "code_for_message",
    "institution_region",
    "is_public_error",
    "is_store_outage",
]


MASKED_MESSAGE = "Unexpected error."  # what a masked internal error says, and nothing more
STORE_UNAVAILABLE_MESSAGE = (
    "the registry's database is unavailable; retry later. Retry a write with the same "
    "idempotency key: it is applied once"
)

# GraphQL's own refusals carry no code; these give clients one to branch on. Ordered: the
# first fragment found in the message decides.
_CODES_BY_MESSAGE = (
    (MASKED_MESSAGE, "INTERNAL_ERROR"),
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed", "TOO_MANY_ALIASES"),
    ("tokens.", "TOO_MANY_TOKENS"),
    ("Syntax Error", "GRAPHQL_PARSE_FAILED"),
    ("Unknown operation named", "OPERATION_NOT_FOUND"),
    ("Variable ", "BAD_VARIABLES"),
)


def code_for_message(message: str) -> str:
    """The stable code for an error GraphQL raised itself (parse, validation, variables)."""
    for fragment, code in _CODES_BY_MESSAGE:
        if fragment in message:
            return code
    return "GRAPHQL_VALIDATION_FAILED"


class PublicError(GraphQLError):
    """An error whose message is safe to show, with a stable ``code`` in its extensions."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, extensions={"code": code})


def is_public_error(error: GraphQLError) -> bool:
    """Errors we raised on purpose (or GraphQL's own parse/validation errors) stay visible;
    anything else is masked so internals never leak."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def is_store_outage(error: GraphQLError) -> bool:
    """The store is down or refuses writes it cannot make durable: expected, and retried."""
    return isinstance(error.original_error, BackendUnavailable)


class MaskInternalErrors(MaskErrors):
    """Masks what nobody expected; says STORE_UNAVAILABLE, with nothing of the cause, when
    the store is down, so that clients know to retry (the view answers it with 503)."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: not is_public_error(error),
            error_message=MASKED_MESSAGE,
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not is_store_outage(error):
            return super().anonymise_error(error)
        return GraphQLError(
            STORE_UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": BackendUnavailable.code},
        )


def institution_region(source: object) -> str | None:
    """The region of the institution whose field is asked for (None for a root field)."""
    model = getattr(source, "model", None)
    return model.region if isinstance(model, models.Institution) else None


class _Confidential(BasePermission):
    """Oversight only, and a regulator only for institutions in its jurisdiction."""

    error_extensions = {"code": "NOT_AUTHORIZED"}  # noqa: RUF012 - strawberry's API

    async def has_permission(
        self, source: object, info: Info[Context, None], **kwargs: object
    ) -> bool:
        if not may_see_complaints(info.context.principal.role):  # no store read for the rest
            return False
        return may_see_confidential(await info.context.access(), institution_region(source))


class SeesPersonalData(_Confidential):
    message = "personal data is shown to regulators only, within their jurisdiction"


class SeesComplaints(_Confidential):
    message = "complaint details are shown to regulators only, within their jurisdiction"


class SeesServiceEvaluations(_Confidential):
    message = (
        "service evaluations name the enterprises that answered: regulators only, within "
        "their jurisdiction"
    )


@strawberry.type
class Problem:
    code: str
    message: str
    field: str
    current_version: int | None = strawberry.field(
        default=None, description="STALE_VERSION: the version stored now."
    )

    @classmethod
    def of(cls, problem: FieldProblem) -> Problem:
        return cls(
            code=problem.code,
            message=problem.message,
            field=problem.field,
            current_version=problem.current_version,
        )


@strawberry.interface
class MutationError:
    code: str
    message: str
    field: str | None
    problems: list[Problem]


@strawberry.type
class InvalidInput(MutationError):
    """The input breaks a rule; every problem is listed, nothing was written."""


@strawberry.type
class NotAuthorized(MutationError):
    """The caller may not do this (role, or another body's certificate)."""


@strawberry.type
class NotFound(MutationError):
    """Something the input refers to does not exist."""


@strawberry.type
class Conflict(MutationError):
    """The input contradicts what is stored."""
