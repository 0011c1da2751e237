"""What every resolver may use for one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from graph.port import GraphStore
from registry.auth import Principal, access_of
from registry.loaders import Loaders
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.domain.permissions import Access

__all__ = ["Context", "OperationObserver"]


class OperationObserver(Protocol):
    """Where each GraphQL operation is counted (the app's metrics, ``registry.http``)."""

    def observe_operation(
        self, name: str | None, kind: str, outcome: str, seconds: float
    ) -> None: ...


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
    # The registry's day as it moves, for what outlives the request's own day (a live
    # subscription): None where ``today`` is all there is.
    clock: Callable[[], date] | None = None
    _access: tuple[Principal, Access] | None = field(default=None, repr=False)

    def day_now(self) -> date:
        """The registry's day at this moment: ``today`` but for what runs past midnight."""
        return self.today if self.clock is None else self.clock()

    async def access(self) -> Access:
        """What the caller's key may touch, worked out once per request (a WebSocket
        authenticates after its context is made, so it is kept with its principal)."""
        if self._access is None or self._access[0] is not self.principal:
            self._access = (self.principal, await access_of(self.store, self.principal))
        return self._access[1]
