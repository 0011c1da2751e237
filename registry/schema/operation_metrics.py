"""A schema extension that reports each GraphQL operation's name, type, outcome and latency
to the app's metrics (``registry.http.observability``)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from registry.schema.errors import code_for_message

__all__ = ["OperationMetrics"]


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        metrics = getattr(context.context, "metrics", None)
        if metrics is None:
            return
        try:
            kind = context.operation_type.value
        except RuntimeError:  # the document did not parse, so it has no type
            kind = "unknown"
        errors = context.result.errors if context.result is not None else None
        outcome = "ok"
        if errors:
            first = errors[0]
            outcome = str((first.extensions or {}).get("code") or code_for_message(first.message))
        metrics.observe_operation(
            context.operation_name, kind, outcome, time.perf_counter() - started
        )
