"""Record each statement the Neo4j backend sends, for scripts/lint-cypher --sent.

When REGISTRY_TEST_CYPHER_LOG names a file, the driver's own wire log (``C: RUN`` lines of
the ``neo4j.io`` logger) is read for the statements, and the distinct ones are written there
as a JSON list when the run ends. Statements a test sends itself (to break a record on
purpose, or to probe the server) are left out: the nearest caller outside the driver and
Neo4jStore decides. Nothing is recorded otherwise.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import tokenize
from pathlib import Path

import neo4j

import graph.neo4j_store

__all__ = ["StatementLog"]

_TESTS = str(Path(__file__).parent)
_PASSED_THROUGH = (
    __file__,
    str(Path(neo4j.__file__).parent),
    str(Path(graph.neo4j_store.__file__)),
    str(Path(logging.__file__).parent),
)


class StatementLog(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(logging.DEBUG)
        self.path = path
        self.statements: dict[str, None] = {}
        self._logger = logging.getLogger("neo4j.io")

    def start(self) -> None:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        self._logger.propagate = False  # the wire log stays out of pytest's captured logs

    def emit(self, record: logging.LogRecord) -> None:
        if "C: RUN" not in str(record.msg) or len(record.args or ()) < 2:
            return
        if _sent_by_a_test():
            return
        fields = str(record.args[1])  # type: ignore[index]
        # The fields are reprs joined by spaces; the first one is the statement.
        first = next(tokenize.generate_tokens(io.StringIO(fields).readline))
        self.statements[_unquoted(first.string)] = None

    def write(self) -> None:
        text = json.dumps(list(self.statements), ensure_ascii=False, indent=1)
        self.path.write_text(text, encoding="utf-8")


def _unquoted(literal: str) -> str:
    """The str whose repr is ``literal``.

    Not ``ast.literal_eval``: CPython 3.11.7 raised "AST constructor recursion depth
    mismatch" from it in a CI run. A repr has no prefix, so its body's escapes are all
    that needs undoing; characters past Latin-1 are first escaped so the codec reads them.
    """
    body = literal[1:-1]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _sent_by_a_test() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PASSED_THROUGH):
            return filename.startswith(_TESTS)
        frame = frame.f_back  # type: ignore[assignment]
    return False
