"""What every resolver may use for one request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from graph.port import GraphStore
from registry.auth import Principal
from registry.loaders import Loaders
from registry.settings import Settings

__all__ = ["REGISTRY_TIMEZONE", "Context", "OperationObserver", "registry_today"]

REGISTRY_TIMEZONE = ZoneInfo("Asia/Shanghai")


class OperationObserver(Protocol):
    """Where each GraphQL operation is counted (the app's metrics, ``registry.http``)."""

    def observe_operation(
        self, name: str | None, kind: str, outcome: str, seconds: float
    ) -> None: ...


def registry_today() -> date:
    """Certificates expire by the calendar in China, whatever the server's clock zone."""
    return datetime.now(REGISTRY_TIMEZONE).date()


@dataclass(slots=True)
class Context:
    store: GraphStore
    settings: Settings
    principal: Principal
    loaders: Loaders
    request_id: str
    today: date
    connection_params: dict[str, object] | None = None  # a WebSocket's connection_init payload
    metrics: OperationObserver | None = None  # where operations are counted (none in unit tests)
