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
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

__all__ = [
    "EdgeToken",
    "NodeToken",
    "Token",
    "encode_pairs",
    "encode_row",
    "encode_text",
    "encode_value",
    "encoded_token",
]

_NULL = b"\x00"
_TRUE = b"\x01\x01"
_FALSE = b"\x01\x00"
_DOUBLE = struct.Struct("<cd")
_LONG = struct.Struct("<cq")
_ARRAY = struct.Struct("<cq")
_IDS = struct.Struct("<QQ")
_COUNT = struct.Struct("<I")
# Texts already encoded: most values of a load repeat (a status, a standard, an issuer, a
# day), and a lookup costs a fifth of encoding one again. Cleared when full.
_TEXTS: dict[str, bytes] = {}
_TEXT_CACHE = 100_000
_DAYS: dict[date, bytes] = {}


def _text(value: str) -> bytes:
    encoded = _TEXTS.get(value)
    if encoded is None:
        if "\x00" in value:
            raise ValueError("a text property holds a NUL character")
        if len(_TEXTS) >= _TEXT_CACHE:
            _TEXTS.clear()
        encoded = _TEXTS[value] = b"\x03" + value.encode() + b"\x00"
    return encoded


def _day(value: date) -> bytes:
    if len(_DAYS) >= _TEXT_CACHE:
        _DAYS.clear()
    encoded = _DAYS[value] = _text(value.isoformat())
    return encoded


def encode_text(value: str) -> bytes:
    """A text value (cached, as :func:`encode_row` encodes it)."""
    return _TEXTS.get(value) or _text(value)


def _array(value: Sequence[object]) -> bytes:
    return _ARRAY.pack(b"\x05", len(value)) + encode_row(value)


# By exact type: a dict lookup instead of a chain of isinstance tests (bool before int
# matters there; here each type has its own entry). A date is its ISO text, as
# graph.mapping.to_props stores it.
_ENCODERS: dict[type, Callable[[Any], bytes]] = {
    str: _text,
    bool: lambda v: _TRUE if v else _FALSE,
    int: lambda v: _LONG.pack(b"\x04", v),
    float: lambda v: _DOUBLE.pack(b"\x02", v),
    list: _array,
    tuple: _array,
    date: _day,
    type(None): lambda _: _NULL,
}


def encode_value(value: object) -> bytes:
    """One property value; None leaves the property unset."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        raise TypeError(f"cannot bulk-load a {type(value).__name__}")
    return encoder(value)


def encode_row(values: Iterable[object]) -> bytes:
    """Values one after the other (a node's, or an array's)."""
    # Text, null, integers, days and arrays of them (most values of a load) inline: a call
    # per value was most of a load's Python time.
    texts, days, long = _TEXTS, _DAYS, _LONG.pack
    parts: list[bytes] = []
    append = parts.append
    for value in values:
        kind = type(value)
        if kind is str:
            append(texts.get(value) or _text(value))  # type: ignore[call-overload,arg-type]
        elif value is None:
            append(_NULL)
        elif kind is int:
            append(long(b"\x04", value))
        elif kind is list or kind is tuple:
            append(_ARRAY.pack(b"\x05", len(value)))  # type: ignore[arg-type]
            for item in value:  # type: ignore[attr-defined]
                kind = type(item)
                if kind is str:
                    append(texts.get(item) or _text(item))
                elif kind is int:
                    append(long(b"\x04", item))
                else:
                    append(encode_value(item))
        elif kind is date:
            append(days.get(value) or _day(value))  # type: ignore[call-overload,arg-type]
        else:
            append(encode_value(value))
    return b"".join(parts)


def encode_pairs(sources: Sequence[int], destinations: Sequence[int]) -> bytes:
    """Edges without properties, by their endpoints' ids: u64 pairs, packed at once."""
    pairs = array("Q", bytes(16 * len(sources)))
    pairs[0::2] = array("Q", sources)
    pairs[1::2] = array("Q", destinations)
    if sys.byteorder != "little":
        pairs.byteswap()
    return pairs.tobytes()


def _header(name: str, columns: Sequence[str]) -> bytes:
    names = b"".join(c.encode() + b"\x00" for c in columns)
    return name.encode() + b"\x00" + _COUNT.pack(len(columns)) + names


class Token:
    """Records of one kind in one command: a header, then each record's bytes."""

    def __init__(self, header: bytes) -> None:
        self._parts = [header]
        self.count = 0

    def extend(self, records: bytes, count: int) -> None:
        """Records encoded elsewhere (a worker process)."""
        self._parts.append(records)
        self.count += count

    def encoded(self) -> bytes:
        return b"".join(self._parts)


def encoded_token(data: bytes, count: int) -> Token:
    """A token encoded elsewhere (a worker process): its header and ``count`` records."""
    token = Token(data)
    token.count = count
    return token


class NodeToken(Token):
    """Nodes of one label set and one column list, in the order they get their ids."""

    def __init__(self, labels: str, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        super().__init__(_header(labels, self.columns))

    def add(self, values: Iterable[object]) -> None:
        self._parts.append(encode_row(values))
        self.count += 1


class EdgeToken(Token):
    """Edges of one type, by their endpoints' node ids."""

    def __init__(self, relation: str, columns: Sequence[str] = ()) -> None:
        super().__init__(_header(relation, columns))

    def add(self, source: int, destination: int, values: Sequence[object] = ()) -> None:
        self._parts.append(_IDS.pack(source, destination) + encode_row(values))
        self.count += 1
