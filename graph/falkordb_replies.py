"""FalkorDB's compact reply decoded for values only (no nodes, edges or paths).

The client library decodes each cell with an awaited coroutine: 10 ms for a page of 1,000
institutions. Reads of documents return only strings, numbers, booleans, lists and maps,
which this decodes with plain calls. The plain (non-compact) reply is faster still, but
spells lists as text that cannot be read back, so it serves flat rows, and rows whose text
lists the statement sent joined with their sizes; such documents are made from it without
an intermediate row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from graph.cypher.exports import COUNT_SUFFIX, LIST_SEPARATOR, SCOPE, ExportSpec
from graph.errors import GraphError
from graph.export_lines import LINE, LinePage
from graph.log_models import ExportDoc

__all__ = ["compact_rows", "plain_documents", "plain_lines"]

_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _MAP = 1, 2, 3, 4, 5, 6, 10


def _value(cell: Any) -> object:
    kind, value = cell
    if kind == _STRING or kind == _INTEGER:
        return value
    if kind == _NULL:
        return None
    if kind == _ARRAY:
        return [_value(item) for item in value]
    if kind == _DOUBLE:
        return float(value)
    if kind == _BOOLEAN:
        return value == "true"
    if kind == _MAP:
        return {str(value[i]): _value(value[i + 1]) for i in range(0, len(value), 2)}
    raise GraphError(f"a document read returned a value of reply type {kind}")


def compact_rows(reply: Any) -> list[dict[str, object]]:
    """The rows of a ``GRAPH.RO_QUERY … --compact`` reply, as dicts by column name."""
    names = [str(name) for _, name in reply[0]]
    plain = (_STRING, _INTEGER)  # most cells: taken as they are, without a call
    return [
        dict(zip(names, [v if t in plain else _value((t, v)) for t, v in row], strict=True))
        for row in reply[1]
    ]


class _NotPlain(Exception):
    """A list's item held the separator: the plain reply cannot carry this page."""


def plain_documents(spec: ExportSpec, reply: Any) -> list[ExportDoc] | None:
    """The documents of a plain reply to one of ``spec``'s statements (``joined`` when it has
    text lists), as ``graph.snapshot_queries.export_doc`` makes them from rows: the sizes of
    the text lists come first, the scope last and is not a field, ``spec.floats`` come as
    text and are read as floats. None when a list's item held the separator (it splits into
    more items than its size): the caller then reads the typed reply. A key's rows after
    its first are left out (a first link read ungrouped, ``ExportSpec.returns``)."""
    try:
        return [
            ExportDoc(key, None if region is None else str(region), doc)
            for key, region, doc in _plain_rows(spec, reply)
        ]
    except _NotPlain:
        return None


def plain_lines(spec: ExportSpec, reply: Any) -> LinePage | None:
    """``plain_documents`` encoded as their lines, without the documents in between (the
    export workers' form of it)."""
    keys: list[str] = []
    regions: list[str | None] = []
    text = bytearray()
    try:
        for key, region, doc in _plain_rows(spec, reply):
            keys.append(key)
            regions.append(None if region is None else str(region))
            text += orjson.dumps(doc, option=LINE)
    except _NotPlain:
        return None
    return LinePage(bytes(text), tuple(keys), tuple(regions))


def _plain_rows(spec: ExportSpec, reply: Any) -> Iterator[tuple[str, object, dict[str, object]]]:
    """Each document's key, scope and fields (plain_documents); _NotPlain as soon as a list
    does not split into its size."""
    names = [str(name) for name in reply[0]]
    lists = sorted(spec.text_lists)
    counted = len(lists)
    if names[:counted] != [name + COUNT_SUFFIX for name in lists] or names[-1] != SCOPE:
        raise GraphError(f"a {spec.entity} document read is not in its plain shape")
    fields = names[counted:-1]
    key_at = fields.index(spec.key) + counted
    floats = [at + counted for at, name in enumerate(fields) if name in spec.floats]
    splits = [
        (at, fields.index(name) + counted, name in spec.unordered) for at, name in enumerate(lists)
    ]
    seen: set[object] = set()
    for values in reply[1]:
        key = values[key_at]
        if key in seen:
            continue
        seen.add(key)
        for at in floats:
            if values[at] is not None:
                values[at] = float(str(values[at]))
        for count_at, at, unordered in splits:
            text, size = values[at], values[count_at]
            if text is None:
                continue
            items = str(text).split(LIST_SEPARATOR) if size else []
            if len(items) != size:
                raise _NotPlain
            if unordered:
                items.sort()
            values[at] = items
        # Every column but the sizes and the last, the scope.
        yield (
            str(key),
            values[-1],
            dict(zip(fields, values[counted:] if counted else values, strict=False)),
        )
