"""An export's files as an import reads them: each checked against the manifest before
anything is written, and the certificates (most of an export's bytes) left as checked runs of
lines that the bulk load's worker processes parse and convert, instead of the loading process
before the load starts (design note 50)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson

from graph.bulk_data import CertificateBatch, CertificateSource
from graph.mapping import from_row
from graph.models import Certificate
from registry.operations.snapshots import SNAPSHOT_ENTITIES, content_digest

__all__ = [
    "MANIFEST",
    "CheckedFile",
    "ExportedCertificates",
    "ImportError_",
    "checked_lines",
    "parsed",
]

MANIFEST = "manifest.json"

Document = Mapping[str, object]


class ImportError_(Exception):
    """The directory is not a complete, intact export."""


class CheckedFile(NamedTuple):
    """An entity's file as checked against the manifest: its bytes and its document lines."""

    path: Path
    content: bytes
    lines: list[bytes]


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive lines of a file: their bytes from ``start`` to ``end``, how many documents
    they hold and the SHA-256 of those bytes as the loading process checked them."""

    start: int
    end: int
    documents: int
    sha256: str


class ExportedCertificates(CertificateSource):
    """The certificates of a checked ``Certificate.ndjson``, ``per_batch`` to a batch. A
    process that builds a batch reads its run of the file again and refuses it unless the
    bytes are those the loading process checked: a file changed since is not loaded."""

    def __init__(self, path: Path, runs: Sequence[Run]) -> None:
        self._path = path
        self._runs = list(runs)

    @classmethod
    def of(cls, file: CheckedFile, per_batch: int) -> ExportedCertificates:
        """The runs of the checked file's bytes, split between lines."""
        content = file.content
        runs: list[Run] = []
        start = position = documents = 0
        for line in content.splitlines(keepends=True):
            position += len(line)
            documents += 1 if line.rstrip(b"\r\n") else 0
            if documents == per_batch:
                runs.append(_run(content, start, position, documents))
                start, documents = position, 0
        if documents:
            runs.append(_run(content, start, position, documents))
        return cls(file.path, runs)

    def sizes(self) -> list[int]:
        return [run.documents for run in self._runs]

    def batch(self, number: int) -> CertificateBatch:
        run = self._runs[number]
        with self._path.open("rb") as file:
            file.seek(run.start)
            content = file.read(run.end - run.start)
        if hashlib.sha256(content).hexdigest() != run.sha256:
            raise ImportError_(f"{self._path} changed while it was being imported")
        return [from_row(Certificate, orjson.loads(line)) for line in _documents(content)], []


def _run(content: bytes, start: int, end: int, documents: int) -> Run:
    return Run(start, end, documents, hashlib.sha256(content[start:end]).hexdigest())


def _documents(content: bytes) -> list[bytes]:
    return [line for line in content.splitlines() if line]


def checked_lines(directory: Path) -> dict[str, CheckedFile]:
    """Every exported entity's file, checked against the manifest's count and digest."""
    try:
        manifest = orjson.loads((directory / MANIFEST).read_bytes())
        listed = manifest["entities"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise ImportError_(f"{directory / MANIFEST} is missing or unreadable") from exc
    files: dict[str, CheckedFile] = {}
    for entity in SNAPSHOT_ENTITIES:
        if entity not in listed:
            continue
        path = directory / f"{entity}.ndjson"
        if not path.is_file():
            raise ImportError_(f"{path} is missing")
        content = path.read_bytes()
        lines = [line + b"\n" for line in _documents(content)]
        expected = listed[entity]
        if len(lines) != expected.get("count") or content_digest(lines) != expected.get("sha256"):
            raise ImportError_(f"{path} does not match the manifest (count or sha256)")
        files[entity] = CheckedFile(path, content, lines)
    return files


def parsed(lines: Sequence[bytes]) -> list[Document]:
    return [orjson.loads(line) for line in lines]
