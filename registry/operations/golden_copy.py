"""The golden copy on disk: ``registry export`` writes a snapshot exact at one seq, one NDJSON
file per entity and a manifest with each file's count and content digest; ``registry import``
loads such a directory into a store.

Import is idempotent: it compares each document with what the store holds and writes only
those that differ, so running it twice writes nothing the second time. Versions are the
target store's own (every store numbers its writes), so they are left out of the comparison.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import orjson

from graph.bulk_data import BulkData
from graph.bulk_workers import PreparedBatches, default_workers
from graph.cypher.exports import EXPORTED
from graph.errors import StoreNotEmpty
from graph.log_models import WriteResult
from graph.mapping import from_row, institution_from_row
from graph.models import (
    Accreditation,
    Certificate,
    CreditEvent,
    CreditRating,
    Institution,
    Organization,
    Region,
    StatusChange,
    SupervisionPlan,
)
from graph.port import MAX_WRITE_BATCH, GraphStore
from graph.service_models import ServiceAssessment
from graph.station_models import Benchmark, ServiceRequest, ServiceStation
from registry.operations.credit import bulk_scoring, recompute_credit
from registry.operations.export_files import (
    MANIFEST,
    CheckedFile,
    ExportedCertificates,
    ImportError_,
    checked_lines,
    parsed,
)
from registry.operations.snapshots import SNAPSHOT_ENTITIES, content_digest, snapshot

__all__ = ["MANIFEST", "ImportError_", "export_to", "import_from"]

# What a bulk import loads at once (graph.bulk_graph); certificates per bulk command.
BULK_ENTITIES = (
    "Region", "Institution", "Organization", "Accreditation", "Certificate", "CreditRating",
    "CreditEvent",
)  # fmt: skip
BULK_BATCH = 5_000
_STORE_NUMBERED = frozenset({"version"})
# The entities whose documents carry a status with a timeline behind it.
_STATUSED = ("Institution", "Accreditation", "Certificate")

Document = Mapping[str, object]
Writer = Callable[[GraphStore, Sequence[Document], str], Awaitable[None]]
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class EntityFile:
    entity: str
    count: int
    sha256: str


async def export_to(
    store: GraphStore, directory: Path, *, as_of: int | None = None
) -> tuple[int, list[EntityFile]]:
    """Write every exported entity as at ``as_of`` (default: the head) into ``directory``
    (which must exist)."""
    seq = (await store.change_head()).seq if as_of is None else as_of
    files: list[EntityFile] = []
    for entity in SNAPSHOT_ENTITIES:
        lines: list[bytes] = []
        with (directory / f"{entity}.ndjson").open("wb") as out:
            async for page in snapshot(store, entity, as_of=seq):
                chunk = page.lines()
                out.writelines(chunk)
                lines += chunk
        files.append(EntityFile(entity, len(lines), content_digest(lines)))
    manifest = {
        "asOf": seq,
        "entities": {f.entity: {"count": f.count, "sha256": f.sha256} for f in files},
    }
    (directory / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return seq, files


async def import_from(
    store: GraphStore, directory: Path, *, actor: str, today: date, bulk: bool = True
) -> dict[str, int]:
    """Load an export into ``store``; returns how many documents of each entity were written
    (those that differed). Every file is checked against the manifest before anything is
    written; the credit scores of the institutions written are recomputed at the end. Into
    an empty store whose backend has a bulk path, the bulk of it (``BULK_ENTITIES``) is
    loaded at once, leaving the same records; the rest follows through the port."""
    files = checked_lines(directory)
    # Into a store that was never written to, a bulk load will take the certificates.
    fresh = bulk and (await store.change_head()).seq == 0
    ahead = _certificates_ahead(files.get("Certificate")) if fresh else None
    try:
        # The certificates are parsed only if they are written through the port: a bulk
        # load parses them in its worker processes, from the file.
        contents = {e: [] if e == "Certificate" else parsed(f.lines) for e, f in files.items()}
        loaded = (
            await _bulk_import(store, contents, files.get("Certificate"), ahead, actor, today)
            if bulk
            else None
        )
    finally:
        if ahead is not None:
            ahead.close()
    written: dict[str, int] = {}
    touched: set[str] = set()
    if loaded is not None:
        written = loaded  # scored as it was loaded: what follows through the port is rescored
        planned = [d for d in contents.get("CreditEvent", []) if d.get("plan")]
        contents = {e: docs for e, docs in contents.items() if e not in loaded}
        contents["CreditEvent"] = planned  # after the plans they name
    elif "Certificate" in files:
        contents["Certificate"] = parsed(files["Certificate"].lines)
    del files
    if loaded is None:
        await _refuse_status_rollbacks(store, contents)
    for entity, docs in contents.items():
        docs = _referenced_first(docs, EXPORTED[entity].key, _REFERENCES.get(entity, ()))
        count = 0
        for start in range(0, len(docs), MAX_WRITE_BATCH):
            changed = await _differing(store, entity, docs[start : start + MAX_WRITE_BATCH])
            await _WRITERS[entity](store, changed, actor)
            count += len(changed)
            touched.update(_institutions_of(entity, changed))
            if entity == "ServiceAssessment":  # assessed stars are their holders' evidence
                numbers = [str(d["certificate"]) for d in changed]
                touched.update(c.holder for c in await store.get_certificates(numbers))
        written[entity] = written.get(entity, 0) + count
    if touched:
        await recompute_credit(store, sorted(touched), today, actor=actor)
    return written


def _certificates_ahead(file: CheckedFile | None) -> PreparedBatches | None:
    """For a large file, the certificates' worker processes, started at once on its first
    runs while the loading process parses the other entities on one core (a bulk load
    builds the batches in them; docs/design-notes.md, note 52)."""
    if file is None:
        return None
    workers = default_workers(len(file.lines))
    if not workers:
        return None
    return PreparedBatches(ExportedCertificates.of(file, BULK_BATCH), workers)


async def _bulk_import(
    store: GraphStore,
    contents: Mapping[str, list[Document]],
    certificates: CheckedFile | None,
    ahead: PreparedBatches | None,
    actor: str,
    today: date,
) -> dict[str, int] | None:
    """The bulk entities loaded at once (their institutions scored on ``today`` by the load
    itself), and how many of each; None when the store holds records or its backend has no
    bulk path. The certificates come as their checked file, parsed where they are built.
    Credit events naming a supervision plan wait for the plans, which follow through the
    port."""

    def docs(entity: str) -> list[Document]:  # in the order the port would write them
        found = contents.get(entity, [])
        return _referenced_first(found, EXPORTED[entity].key, _REFERENCES.get(entity, ()))

    events = [d for d in docs("CreditEvent") if not d.get("plan")]
    planned = [d for d in docs("CreditEvent") if d.get("plan")]
    # Scored at the end, with what follows through the port: none is scored twice.
    later = _institutions_of("CreditEvent", planned).union(
        *(_institutions_of(e, found) for e, found in contents.items() if e not in BULK_ENTITIES)
    )
    file = certificates or CheckedFile(Path(), b"", [])
    data = BulkData(
        regions=[from_row(Region, d) for d in docs("Region")],
        institutions=[_institution(d) for d in docs("Institution")],
        organizations=[[from_row(Organization, d) for d in docs("Organization")]],
        accreditations=[[from_row(Accreditation, d) for d in docs("Accreditation")]],
        certificates=ahead or ExportedCertificates.of(file, BULK_BATCH),
        certificate_count=len(file.lines),
        credit_ratings=[[from_row(CreditRating, d) for d in docs("CreditRating")]],
        credit_events=[[from_row(CreditEvent, d) for d in events]],
        credit=bulk_scoring(
            today,
            leave=frozenset(later),
            assessed=frozenset(
                str(d["certificate"])
                for d in docs("ServiceAssessment")
                if str(d.get("confirmedOn") or "9999-12-31") <= today.isoformat()
            ),
        ),
    )
    try:
        if await store.bulk_load(data, actor=actor) is None:
            return None
    except StoreNotEmpty:
        return None
    counts = {entity: len(docs(entity)) for entity in BULK_ENTITIES if entity in contents}
    if certificates is not None:
        counts["Certificate"] = len(file.lines)
    return counts | {"CreditEvent": len(events)}


async def _differing(store: GraphStore, entity: str, docs: list[Document]) -> list[Document]:
    key_field = EXPORTED[entity].key
    keys = [str(doc[key_field]) for doc in docs]
    stored = {d.key: _comparable(d.doc) for d in await store.export_docs(entity, keys)}
    return [doc for doc, key in zip(docs, keys, strict=True) if stored.get(key) != _comparable(doc)]


async def _refuse_status_rollbacks(
    store: GraphStore, contents: Mapping[str, list[Document]]
) -> None:
    """Refused before anything is written: a record the store holds whose status the export
    gives otherwise. A document says what a status was, not since when, so importing an
    older export wrote its status back as a new step, dated the day of the import (a
    WITHDRAWN certificate, final, became SUSPENDED again). Statuses change through the API,
    with their effective dates; an import only sets those of the records it creates."""
    differing: list[str] = []
    for entity in _STATUSED:
        docs, key = contents.get(entity, []), EXPORTED[entity].key
        for start in range(0, len(docs), MAX_WRITE_BATCH):
            batch = docs[start : start + MAX_WRITE_BATCH]
            found = await store.export_docs(entity, [str(doc[key]) for doc in batch])
            stored = {d.key: d.doc.get("status") for d in found}
            differing += [
                f"{entity} {doc[key]}: {stored[str(doc[key])]} here, {doc.get('status')} in it"
                for doc in batch
                if str(doc[key]) in stored and stored[str(doc[key])] != doc.get("status")
            ]
    if differing:
        raise ImportError_(
            f"{len(differing)} records this store holds have another status in the export "
            f"(first: {differing[0]}): an import does not change a status, whose date it does "
            "not know; change it through the API, or import into an empty store"
        )


def _comparable(doc: Document) -> dict[str, object]:
    return {name: value for name, value in doc.items() if name not in _STORE_NUMBERED}


# Fields naming another document of the same entity that must be written first.
_REFERENCES = {"Region": ("parent",), "Institution": ("group", "associations")}


def _referenced_first(docs: list[Document], key: str, references: Sequence[str]) -> list[Document]:
    """The documents ordered so that each comes after those it names in ``references`` (a
    region's parent, an institution's group and associations), whatever batch they fall in."""
    if not references:
        return docs
    keys = {doc[key] for doc in docs}
    placed: set[object] = set()
    ordered: list[Document] = []
    pending = list(docs)
    while pending:
        ready = [
            d for d in pending if all(r in placed or r not in keys for r in _named(d, references))
        ]
        if not ready:
            raise ImportError_(f"the {key} references form a cycle")
        ordered += ready
        placed.update(d[key] for d in ready)
        pending = [d for d in pending if d[key] not in placed]
    return ordered


def _named(doc: Document, references: Sequence[str]) -> list[object]:
    named: list[object] = []
    for field in references:
        value = doc.get(field)
        named += value if isinstance(value, list) else [] if value is None else [value]
    return named


def _institutions_of(entity: str, docs: Sequence[Document]) -> set[str]:
    """The institutions whose credit score reads the written documents (a certificate counts
    for its issuer, and its stars for its holder; a service request for its station's time
    limits)."""
    fields = {
        "Institution": ("uscc",),
        "Accreditation": ("holder",),
        "Certificate": ("issuer", "holder"),
        "CreditRating": ("institution",),
        "CreditEvent": ("institution",),
        "ServiceRequest": ("station",),
    }.get(entity, ())
    return {str(doc[field]) for doc in docs for field in fields}


async def _write_certificates(store: GraphStore, docs: Sequence[Document], actor: str) -> None:
    """Issue what differs; a certificate whose status differs then gets it as a status change
    (issuing sets the status of new certificates only)."""
    certificates = [from_row(Certificate, doc) for doc in docs]
    numbers = [c.number for c in certificates]
    await store.issue_certificates(certificates, actor=actor)
    now = {c.number: c for c in await store.get_certificates(numbers)}
    moved = [
        StatusChange(c.number, c.status, c.status_reason, c.status_since or c.issued_on, "", "")
        for c in certificates
        if (now[c.number].status, now[c.number].status_reason) != (c.status, c.status_reason)
    ]
    if moved:
        await store.change_certificate_statuses(moved, actor=actor)


async def _write_accreditations(store: GraphStore, docs: Sequence[Document], actor: str) -> None:
    """An upsert sets the status of the records it creates; the import refused any other
    status change up front (``_refuse_status_rollbacks``)."""
    if docs:
        await store.upsert_accreditations([from_row(Accreditation, d) for d in docs], actor=actor)


async def _write_institutions(store: GraphStore, docs: Sequence[Document], actor: str) -> None:
    if docs:
        await store.upsert_institutions([_institution(d) for d in docs], actor=actor)


def _institution(doc: Document) -> Institution:
    """Documents carry the representative's digest only: the person comes back unnamed."""
    key = doc.get("representative")
    person = {"key": key, "name": ""} if isinstance(key, str) else None
    return institution_from_row({**doc, "representative": person})


async def _plans(store: GraphStore, docs: Sequence[Document], actor: str) -> None:
    for doc in docs:  # a handful: plans are drawn by hand, one write each
        await store.store_supervision_plan(from_row(SupervisionPlan, doc), actor=actor)


def _station(doc: Document) -> ServiceStation:
    """Documents carry staff roles only: the staff come back unnamed, as persons do."""
    station = from_row(ServiceStation, doc)
    return dataclasses.replace(station, staff_names=("",) * len(station.staff_roles))


def _models(
    build: Callable[[Document], M],
    write: Callable[[GraphStore, list[M], str], Awaitable[WriteResult]],
) -> Writer:
    async def run(store: GraphStore, docs: Sequence[Document], actor: str) -> None:
        if docs:
            await write(store, [build(doc) for doc in docs], actor)

    return run


_WRITERS: dict[str, Writer] = {
    "Region": _models(lambda d: from_row(Region, d), lambda s, m, a: s.upsert_regions(m, actor=a)),
    "Institution": _write_institutions,
    "Organization": _models(
        lambda d: from_row(Organization, d),
        lambda s, m, a: s.upsert_organizations(m, actor=a),
    ),
    "Accreditation": _write_accreditations,
    "Certificate": _write_certificates,
    "CreditRating": _models(
        lambda d: from_row(CreditRating, d),
        lambda s, m, a: s.publish_credit_ratings(m, actor=a),
    ),
    "SupervisionPlan": _plans,
    "CreditEvent": _models(
        lambda d: from_row(CreditEvent, d),
        lambda s, m, a: s.record_credit_events(m, actor=a),
    ),
    "ServiceAssessment": _models(
        lambda d: from_row(ServiceAssessment, d),
        lambda s, m, a: s.record_service_assessments(m, actor=a),
    ),
    "ServiceStation": _models(_station, lambda s, m, a: s.upsert_stations(m, actor=a)),
    # Without who asked, what for and how to reach them: a stored request keeps those.
    "ServiceRequest": _models(
        lambda d: from_row(ServiceRequest, d),
        lambda s, m, a: s.put_service_requests(m, actor=a),
    ),
    "Benchmark": _models(
        lambda d: from_row(Benchmark, d),
        lambda s, m, a: s.designate_benchmarks(m, actor=a),
    ),
}
