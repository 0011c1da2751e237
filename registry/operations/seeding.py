"""Load the seed dataset through the same validation and write operations as the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import orjson

from graph.models import InstitutionQuery
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.auth import Principal
from registry.domain.vocabulary import Role
from registry.operations import (
    credit_writes,
    service_assessments,
    stations,
    timeline_writes,
    writes,
)
from registry.operations.refusals import Refusal, validate_batch
from registry.records import (
    AccreditationRecord,
    AccreditationStatusChangeRecord,
    AssessmentConfirmationRecord,
    CertificateRecord,
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    InstitutionRecord,
    OrganizationRecord,
    Record,
    RegionRecord,
    ServiceAssessmentRecord,
    ServiceEvaluationRecord,
    StatusChangeRecord,
)
from registry.records.stations import BenchmarkRecord, StationRecord

__all__ = ["SEED_PRINCIPAL", "SeedError", "load_seeds", "load_seeds_and_score", "store_is_empty"]

SEED_PRINCIPAL = Principal(role=Role.ADMIN, key_id="seed")
R = TypeVar("R", bound=Record)


class SeedError(Exception):
    """A seed file does not validate; names the file and the problems."""


async def store_is_empty(store: GraphStore) -> bool:
    return await store.count_institutions(InstitutionQuery()) == 0


async def load_seeds(
    store: GraphStore, directory: Path, *, secret: bytes, today: date
) -> dict[str, int]:
    """Load every seed file in dependency order; returns rows written per file."""
    actor = SEED_PRINCIPAL

    async def step(
        name: str,
        model: type[R],
        key: Callable[[R], str],
        write: Callable[[Sequence[R]], Awaitable[object]],
        *,
        batch: int = MAX_WRITE_BATCH,
    ) -> int:
        """Write ``name``'s rows ``batch`` at a time (1: one after another, for changes that
        may name the same record twice)."""
        path = directory / name
        items = orjson.loads(path.read_bytes())
        total = 0
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            prefix = name if batch > 1 else f"{name}[{start}]"
            try:
                records = validate_batch(model, chunk, key=key, prefix=prefix)
                await write(records)
            except Refusal as exc:
                raise SeedError(f"{path}: {exc}") from exc
            total += len(chunk)
        return total

    counts = {
        "regions": await step(
            "regions.json",
            RegionRecord,
            lambda r: r.code,
            lambda rs: writes.upsert_regions(store, actor, rs),
        ),
        "institutions": await step(
            "institutions.json",
            InstitutionRecord,
            lambda r: r.uscc,
            lambda rs: writes.upsert_institutions(store, actor, rs, secret=secret, today=today),
        ),
        "organizations": await step(
            "organizations.json",
            OrganizationRecord,
            lambda r: r.uscc,
            lambda rs: writes.upsert_organizations(store, actor, rs),
        ),
        "accreditations": await step(
            "accreditations.json",
            AccreditationRecord,
            lambda r: r.number,
            lambda rs: writes.upsert_accreditations(store, actor, rs, today=today),
        ),
        # Before the certificates: issuing checks the scope accredited on the issue date.
        "accreditation_changes": await step(
            "accreditation_changes.json",
            AccreditationStatusChangeRecord,
            lambda r: r.number,
            lambda rs: timeline_writes.change_accreditation_statuses(store, actor, rs, today=today),
            batch=1,
        ),
        "certificates": await step(
            "certificates.json",
            CertificateRecord,
            lambda r: r.number,
            lambda rs: writes.issue_certificates(store, actor, rs, today=today),
        ),
        # After the certificates, whose stars each assessment must earn.
        "service_assessments": await step(
            "service_assessments.json",
            ServiceAssessmentRecord,
            lambda r: r.certificate,
            lambda rs: service_assessments.record_service_assessments(
                store, actor, rs, today=today
            ),
        ),
        # Invented, like the assessments (seeds/README.md): each confirmed on its issue day.
        "service_assessment_confirmations": await step(
            "service_assessment_confirmations.json",
            AssessmentConfirmationRecord,
            lambda r: r.certificate,
            lambda rs: service_assessments.confirm_service_assessment(
                store, actor, rs[0], today=today
            ),
            batch=1,
        ),
        "complaints": await step(
            "complaints.json",
            ComplaintRecord,
            lambda r: r.id,
            lambda rs: credit_writes.record_complaints(store, actor, rs, today=today),
        ),
        "credit_ratings": await step(
            "credit_ratings.json",
            CreditRatingRecord,
            lambda r: r.id,
            lambda rs: credit_writes.publish_credit_ratings(store, actor, rs, today=today),
        ),
        "credit_events": await step(
            "credit_events.json",
            CreditEventRecord,
            lambda r: r.id,
            lambda rs: credit_writes.record_credit_events(store, actor, rs, today=today),
        ),
        "service_evaluations": await step(
            "service_evaluations.json",
            ServiceEvaluationRecord,
            lambda r: r.id,
            lambda rs: credit_writes.record_service_evaluations(store, actor, rs, today=today),
        ),
        # DB2101/T 0050-2022 stations' catalogues and staff (seeds/README.md: partly invented).
        "stations": await step(
            "stations.json",
            StationRecord,
            lambda r: r.uscc,
            lambda rs: stations.upsert_stations(store, actor, rs),
        ),
        "benchmarks": await step(
            "benchmarks.json",
            BenchmarkRecord,
            lambda r: f"{r.uscc}/{r.category}/{r.year}",
            lambda rs: stations.designate_benchmark(store, actor, rs[0], today=today),
            batch=1,
        ),
        "status_changes": await step(
            "status_changes.json",
            StatusChangeRecord,
            lambda r: r.number,
            lambda rs: writes.change_certificate_statuses(store, actor, rs, today=today),
            batch=1,
        ),
    }
    return counts


async def load_seeds_and_score(
    store: GraphStore, directory: Path, *, secret: bytes, today: date
) -> dict[str, int]:
    """Load the seeds, then compute every institution's credit score, so rankings and
    credit answers are there from the first request."""
    from registry.operations.credit import recompute_all

    counts = await load_seeds(store, directory, secret=secret, today=today)
    counts["credit_scores"] = await recompute_all(store, today)
    return counts
