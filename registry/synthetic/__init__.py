"""A reproducible synthetic registry at any scale, for benchmarks, demos and load tests.

Why this shape: every batch draws from its own ``random.Random`` seeded by (seed, entity, batch
number) and nothing reads the clock, so the same seed and sizes give the same data everywhere
and any batch can be rebuilt alone. Only a small roster (who exists, where, of which kind) is
planned up front; the batches themselves are produced lazily, so a million certificates never
sit in memory at once. The pure ``iter_*_batches`` functions yield what :func:`generate` writes.

Each entity is built in its own module (``roster``, ``places``, ``institutions``, ...); this one
re-exports their public names and holds :func:`generate`, which writes them in order.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeVar

from tqdm import tqdm

from graph.bulk_data import BulkData, CertificateSource, CreditScoring
from graph.bulk_data import CertificateBatch as Batch
from graph.errors import StoreNotEmpty
from graph.log_models import WriteResult
from graph.models import Certificate, StatusChange
from graph.port import GraphStore
from registry.synthetic.accreditations import iter_accreditation_batches
from registry.synthetic.certificates import (
    CertificateBatch,
    certificate_batch,
    certificate_batch_count,
    iter_certificate_batches,
)
from registry.synthetic.common import BATCH, chunks
from registry.synthetic.complaints import iter_complaint_batches
from registry.synthetic.credit import iter_credit_event_batches, iter_credit_rating_batches
from registry.synthetic.institutions import iter_institution_batches
from registry.synthetic.organizations import iter_organization_batches
from registry.synthetic.places import REGIONS, iter_region_batches
from registry.synthetic.roster import (
    MIN_INSTITUTIONS,
    REFERENCE_DAY,
    CertificationBody,
    Roster,
    plan_roster,
)

__all__ = [
    "MIN_INSTITUTIONS",
    "REFERENCE_DAY",
    "REGIONS",
    "CertificateBatch",
    "CertificationBody",
    "GenerationReport",
    "Roster",
    "certificate_batch",
    "certificate_batch_count",
    "generate",
    "iter_accreditation_batches",
    "iter_certificate_batches",
    "iter_complaint_batches",
    "iter_credit_event_batches",
    "iter_credit_rating_batches",
    "iter_institution_batches",
    "iter_organization_batches",
    "iter_region_batches",
    "plan_roster",
]

T = TypeVar("T")

_CITATION_STRIDE: Final = 200  # every 200th certificate may be named in a complaint


@dataclass(frozen=True, slots=True)
class GenerationReport:
    """Rows written per entity and the wall-clock seconds it took, for benchmarks."""

    regions: int
    institutions: int
    organizations: int
    accreditations: int
    certificates: int
    status_changes: int
    credit_ratings: int
    credit_events: int
    complaints: int
    seconds: float
    credit_scores: int | None = None  # stored by the load itself (None: not scored)

    @property
    def rows(self) -> int:
        """Every model written (status changes included)."""
        return (
            self.regions + self.institutions + self.organizations + self.accreditations
            + self.certificates + self.status_changes + self.credit_ratings
            + self.credit_events + self.complaints
        )  # fmt: skip

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


async def _write_all(
    batches: Iterable[Sequence[T]],
    write: Callable[[Sequence[T]], Awaitable[WriteResult]],
    *,
    label: str,
    total: int | None,
    progress: bool,
) -> int:
    written = 0
    with tqdm(total=total, desc=label, unit=" rows", unit_scale=True, disable=not progress) as bar:
        for batch in batches:
            written += (await write(batch)).written
            bar.update(len(batch))
    return written


class _RosterCertificates(CertificateSource):
    """The certificate batches of a roster, made by number wherever the load builds them;
    every 200th certificate is kept in the loading process, for the complaints to cite."""

    def __init__(self, roster: Roster, cited: list[Certificate]) -> None:
        self._roster = roster
        self._cited = cited

    def __getstate__(self) -> Roster:
        return self._roster  # what a worker process needs: not what is cited

    def __setstate__(self, roster: Roster) -> None:
        self._roster, self._cited = roster, []

    def sizes(self) -> list[int]:
        whole, rest = divmod(self._roster.certificates, BATCH)
        return [BATCH] * whole + ([rest] if rest else [])

    def batch(self, number: int) -> Batch:
        made = certificate_batch(self._roster, number)
        return made.certificates, made.status_changes

    def kept_of(self, certificates: Sequence[Certificate]) -> list[Certificate]:
        return list(certificates[::_CITATION_STRIDE])

    def keep(self, kept: list[Certificate]) -> None:
        self._cited.extend(kept)


def bulk_data(roster: Roster, credit: CreditScoring | None = None) -> BulkData:
    """The registry of ``roster`` as one bulk load, produced lazily as it is sent (and
    scored as it is loaded, with ``credit``)."""
    cited: list[Certificate] = []
    certificates = _RosterCertificates(roster, cited)

    return BulkData(
        regions=[r for batch in iter_region_batches() for r in batch],
        institutions=[i for batch in iter_institution_batches(roster) for i in batch],
        organizations=iter_organization_batches(roster),
        accreditations=iter_accreditation_batches(roster),
        certificates=certificates,
        certificate_count=roster.certificates,
        credit_ratings=iter_credit_rating_batches(roster),
        credit_events=iter_credit_event_batches(roster),
        complaints=iter_complaint_batches(roster, cited=cited),
        credit=credit,
    )


def _report(
    counts: Mapping[str, int], seconds: float, credit_scores: int | None = None
) -> GenerationReport:
    return GenerationReport(
        regions=counts.get("Region", 0),
        institutions=counts.get("Institution", 0),
        organizations=counts.get("Organization", 0),
        accreditations=counts.get("Accreditation", 0),
        certificates=counts.get("Certificate", 0),
        status_changes=counts.get("StatusChange", 0),
        credit_ratings=counts.get("CreditRating", 0),
        credit_events=counts.get("CreditEvent", 0),
        complaints=counts.get("Complaint", 0),
        seconds=seconds,
        credit_scores=credit_scores,
    )


async def generate(
    store: GraphStore,
    *,
    institutions: int,
    certificates: int,
    seed: int,
    progress: bool = True,
    actor: str = "generator",
    today: date = REFERENCE_DAY,
    bulk: bool = True,
    credit: CreditScoring | None = None,
) -> GenerationReport:
    """Write a synthetic registry: into an empty store at once where the backend has a bulk
    path, else through the port, every entity in batches of 1,000, each after the entities
    it refers to (both leave the same records). A bulk load also scores with ``credit``;
    the report's ``credit_scores`` says whether it did."""
    started = time.perf_counter()
    roster = plan_roster(
        seed=seed, institutions=institutions, certificates=certificates, today=today
    )
    with contextlib.suppress(StoreNotEmpty):  # then added to through the port
        loaded = None
        if bulk:
            loaded = await store.bulk_load(bulk_data(roster, credit), actor=actor)
        if loaded is not None:
            return _report(loaded.counts, time.perf_counter() - started, loaded.credit_scores)
    changes: list[StatusChange] = []
    cited: list[Certificate] = []

    def certificate_lists() -> Iterator[list[Certificate]]:
        for batch in iter_certificate_batches(roster):
            changes.extend(batch.status_changes)
            cited.extend(batch.certificates[::_CITATION_STRIDE])
            yield batch.certificates

    regions = await _write_all(
        iter_region_batches(),
        lambda batch: store.upsert_regions(batch, actor=actor),
        label="regions",
        total=len(REGIONS),
        progress=progress,
    )
    written_institutions = await _write_all(
        iter_institution_batches(roster),
        lambda batch: store.upsert_institutions(batch, actor=actor),
        label="institutions",
        total=roster.institutions,
        progress=progress,
    )
    organizations = await _write_all(
        iter_organization_batches(roster),
        lambda batch: store.upsert_organizations(batch, actor=actor),
        label="organizations",
        total=roster.organizations,
        progress=progress,
    )
    accreditations = await _write_all(
        iter_accreditation_batches(roster),
        lambda batch: store.upsert_accreditations(batch, actor=actor),
        label="accreditations",
        total=None,
        progress=progress,
    )
    issued = await _write_all(
        certificate_lists(),
        lambda batch: store.issue_certificates(batch, actor=actor),
        label="certificates",
        total=roster.certificates,
        progress=progress,
    )
    status_changes = await _write_all(
        chunks(changes),
        lambda batch: store.change_certificate_statuses(batch, actor=actor),
        label="status changes",
        total=len(changes),
        progress=progress,
    )
    ratings = await _write_all(
        iter_credit_rating_batches(roster),
        lambda batch: store.publish_credit_ratings(batch, actor=actor),
        label="credit ratings",
        total=roster.institutions // 2,
        progress=progress,
    )
    events = await _write_all(
        iter_credit_event_batches(roster),
        lambda batch: store.record_credit_events(batch, actor=actor),
        label="credit events",
        total=roster.institutions // 5,
        progress=progress,
    )
    complaints = await _write_all(
        iter_complaint_batches(roster, cited=cited),
        lambda batch: store.record_complaints(batch, actor=actor),
        label="complaints",
        total=roster.institutions // 10,
        progress=progress,
    )
    return GenerationReport(
        regions=regions,
        institutions=written_institutions,
        organizations=organizations,
        accreditations=accreditations,
        certificates=issued,
        status_changes=status_changes,
        credit_ratings=ratings,
        credit_events=events,
        complaints=complaints,
        seconds=time.perf_counter() - started,
    )
