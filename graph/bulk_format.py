"""FalkorDB's bulk-insert wire format (``GRAPH.BULK``), written from Python values.

Why: a first load of a national registry (100k institutions, 1M certificates) through Cypher
spends most of its time parsing parameters and planning per-row ``MERGE``s; the engine's own
bulk command takes prebuilt nodes and edges by position and is an order of magnitude faster.

The format (FalkorDB ``src/bulk_insert``): a command carries node tokens, then edge tokens.
A node token is its label(s) (``A:B``) NUL-terminated, a little-endian u32 property count,
the property names NUL-terminated, then per node one typed value per property. An edge token
is its type, the same header, then per edge the source and destination node ids (u64) and
its values. A value is a type byte then its payload: 0 null (skipped: the property is not
set), 1 bool (1 byte), 2 double (8), 3 string (NUL-terminated UTF-8), 4 integer (i64),
5 array (i64 length, then values). Nodes get ids in the order the server reads them; in a
graph that never had a deletion, that is 0, 1, 2, ... across commands.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["EdgeToken", "NodeToken", "encode_value"]

_NULL = b"\x00"
_TRUE = b"\x01\x01"
_FALSE = b"\x01\x00"
_DOUBLE = struct.Struct("<cd")
_LONG = struct.Struct("<cq")
_ARRAY = struct.Struct("<cq")
_IDS = struct.Struct("<QQ")
_COUNT = struct.Struct("<I")


def _text(value: str) -> bytes:
    if "\x00" in value:
        raise ValueError("a text property holds a NUL character")
    return b"\x03" + value.encode() + b"\x00"


def _array(value: list[object] | tuple[object, ...]) -> bytes:
    return _ARRAY.pack(b"\x05", len(value)) + b"".join(map(encode_value, value))


# By exact type: a dict lookup instead of a chain of isinstance tests (bool before int
# matters there; here each type has its own entry).
_ENCODERS: dict[type, Callable[[Any], bytes]] = {
    str: _text,
    bool: lambda v: _TRUE if v else _FALSE,
    int: lambda v: _LONG.pack(b"\x04", v),
    float: lambda v: _DOUBLE.pack(b"\x02", v),
    list: _array,
    tuple: _array,
    type(None): lambda _: _NULL,
}


def encode_value(value: object) -> bytes:
    """One property value; None leaves the property unset."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        raise TypeError(f"cannot bulk-load a {type(value).__name__}")
    return encoder(value)


def _header(name: str, columns: Sequence[str]) -> bytes:
    names = b"".join(c.encode() + b"\x00" for c in columns)
    return name.encode() + b"\x00" + _COUNT.pack(len(columns)) + names


class NodeToken:
    """Nodes of one label set and one column list, in the order they get their ids."""

    def __init__(self, labels: str, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._parts = [_header(labels, self.columns)]
        self.count = 0

    def add(self, values: Sequence[object]) -> None:
        # Text, null and integers (most values of a load) inline: a call per value was
        # most of a load's Python time.
        parts = []
        for value in values:
            kind = type(value)
            if kind is str:
                parts.append(_text(value))  # type: ignore[arg-type]
            elif value is None:
                parts.append(_NULL)
            elif kind is int:
                parts.append(_LONG.pack(b"\x04", value))
            else:
                parts.append(encode_value(value))
        self._parts.append(b"".join(parts))
        self.count += 1

    def encoded(self) -> bytes:
        return b"".join(self._parts)


class EdgeToken:
    """Edges of one type, by their endpoints' node ids."""

    def __init__(self, relation: str, columns: Sequence[str] = ()) -> None:
        self._parts = [_header(relation, columns)]
        self.count = 0

    def add(self, source: int, destination: int, values: Sequence[object] = ()) -> None:
        self._parts.append(_IDS.pack(source, destination) + b"".join(map(encode_value, values)))
        self.count += 1

    def encoded(self) -> bytes:
        return b"".join(self._parts)
