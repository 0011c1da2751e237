"""What every Cypher backend shares, split by area the way the catalogue in graph.cypher is:
the core in ``base``, one mixin per area, composed into ``CypherStore`` in ``store``."""

from __future__ import annotations

from graph.cypher_store.base import PlannedWrite, Reader, Row, WritePlan, as_int
from graph.cypher_store.store import CypherStore

__all__ = ["CypherStore", "PlannedWrite", "Reader", "Row", "WritePlan", "as_int"]
