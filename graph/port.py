"""The GraphStore port: what the registry asks of any graph database.

Methods speak the domain, take and return batches of frozen models, and hide the query
language. Every write is one atomic statement per batch that also appends to the change log.

Certificates, accreditations and institutions come with their status ``history`` (every step,
in recording order); their ``status`` fields cache the step in force when they were last written.
Listings and counts that filter by status decide it on the day asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Protocol

from graph.bulk_data import BulkData, BulkReport
from graph.complaint_models import ComplaintAdvance, ComplaintTally, ComplaintTallyQuery
from graph.dispute_models import DataQualityCounts, Dispute, IssueGroup
from graph.log_models import (
    WriteGuard,
    WriteResult,
)
from graph.log_port import ChangeLog
from graph.models import (
    Accreditation,
    ApiKey,
    Certificate,
    CertificateQuery,
    Complaint,
    CreditEvent,
    CreditFacts,
    CreditRating,
    Institution,
    InstitutionQuery,
    Organization,
    RankedInstitution,
    RankingQuery,
    Region,
    RegionStatistics,
    ServiceEvaluation,
    StatusChange,
    StoredCredit,
    SupervisionPlan,
    VerificationFacts,
)
from graph.network_models import InstitutionPath, Network, SharedCluster
from graph.search_models import CertificateSearch, SearchHit
from graph.service_models import ServiceAssessment
from graph.station_port import StationStore
from graph.tallies import RegionMonth

__all__ = ["MAX_WRITE_BATCH", "GraphStore"]

MAX_WRITE_BATCH = 1000


class GraphStore(ChangeLog, StationStore, Protocol):
    """Async, batch-shaped access to the registry graph (the change log's part in
    ``graph.log_port``, the stations' in ``graph.station_port``)."""

    async def close(self) -> None:
        """Release connections (and stop an embedded server nobody else uses)."""

    async def ping(self) -> bool:
        """True when the database answers."""

    async def clear(self) -> None:
        """Delete the whole graph and recreate the schema (tests and fresh imports)."""

    async def bulk_load(self, data: BulkData, *, actor: str) -> BulkReport | None:
        """Load ``data`` into this empty store at once, all or nothing, starting its log from
        a checkpoint at the last seq (graph.bulk_graph); None when this backend has no bulk
        path (write through the port). :class:`Conflict` when the store is not empty."""

    # reads ---------------------------------------------------------------------------------
    async def get_regions(self, codes: Sequence[str] | None = None) -> list[Region]:
        """The named regions, or every region when ``codes`` is None."""

    async def get_institutions(self, usccs: Sequence[str]) -> list[Institution]:
        """The institutions that exist among ``usccs``, in no particular order."""

    async def list_institutions(
        self, query: InstitutionQuery, *, after: str | None, limit: int
    ) -> list[Institution]:
        """A keyset page ordered by USCC, starting after the USCC ``after``."""

    async def count_institutions(self, query: InstitutionQuery) -> int:
        """How many institutions match ``query``."""

    async def institution_usccs(self) -> list[str]:
        """Every institution's USCC, in no particular order, read at once: what a job over
        the whole registry (rescoring every institution) walks. Keyset pages would each
        sort what is left of the label (100 pages of 1,000 took 18.9 s at 100k)."""

    async def get_group_members(self, group_usccs: Sequence[str]) -> list[Institution]:
        """Members of the named groups (each member's ``group`` says which)."""

    async def get_represented(self, person_keys: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The institutions each of the named persons (by key) represents, where any."""

    async def get_organizations(self, usccs: Sequence[str]) -> list[Organization]:
        """The certificate holders that exist among ``usccs``."""

    async def get_accreditations_held(self, holder_usccs: Sequence[str]) -> list[Accreditation]:
        """Accreditations held by the named institutions."""

    async def get_accreditations(self, numbers: Sequence[str]) -> list[Accreditation]:
        """The accreditations that exist among ``numbers``."""

    async def get_certificates(self, numbers: Sequence[str]) -> list[Certificate]:
        """The certificates that exist among ``numbers``."""

    async def get_issuers_of_holders(self, holders: Sequence[str]) -> dict[str, frozenset[str]]:
        """For each named holder that holds certificates, the bodies that issued them."""

    async def list_certificates(
        self, query: CertificateQuery, *, after: str | None, limit: int
    ) -> list[Certificate]:
        """A keyset page ordered by certificate number."""

    async def count_certificates(self, query: CertificateQuery) -> int:
        """How many certificates match ``query``."""

    async def get_verification_facts(self, numbers: Sequence[str]) -> list[VerificationFacts]:
        """For each existing certificate: it, its holder, its issuer and the issuer's
        accreditations (with their bodies' names), in one round trip."""

    async def search_certificates(
        self, search: CertificateSearch, *, limit: int
    ) -> list[SearchHit]:
        """Certificates the query names, each way it can (``MatchRank``), up to ``limit`` a
        way; the same certificate may come back more than once."""

    async def get_status_histories(self, numbers: Sequence[str]) -> list[StatusChange]:
        """Status changes of the named certificates, in recording order."""

    async def get_complaints_against(self, usccs: Sequence[str]) -> list[Complaint]:
        """Complaints filed against the named institutions, with their steps."""

    async def get_complaints(self, ids: Sequence[str]) -> list[Complaint]:
        """The named complaints that exist, with their steps."""

    async def get_complaint_tallies(
        self, usccs: Sequence[str], query: ComplaintTallyQuery
    ) -> list[ComplaintTally]:
        """Per institution and year of filing, counts of the complaints filed by the query's
        day: received, open, overdue by its cutoffs, substantiated."""

    async def get_credit_ratings_of(self, usccs: Sequence[str]) -> list[CreditRating]:
        """Credit ratings published for the named institutions."""

    async def get_credit_events_of(self, usccs: Sequence[str]) -> list[CreditEvent]:
        """Credit-file events recorded for the named institutions."""

    async def get_service_evaluations(self, ids: Sequence[str]) -> list[ServiceEvaluation]:
        """The named satisfaction forms and mystery-customer visits (those that exist)."""

    async def get_service_evaluations_of(
        self, usccs: Sequence[str], *, since: str, until: str
    ) -> list[ServiceEvaluation]:
        """Satisfaction forms and mystery-customer visits dated ``since``..``until`` (ISO)."""

    async def get_service_assessments(self, numbers: Sequence[str]) -> list[ServiceAssessment]:
        """The assessments behind the named service certificates' stars, where recorded."""

    async def get_credit_inputs(
        self, usccs: Sequence[str], *, today: str, evaluated_since: str, past: bool = False
    ) -> list[CreditFacts]:
        """What the credit score of each named institution reads on ``today``, with the
        service evaluations dated from ``evaluated_since`` (ISO dates). ``past``: ``today``
        is a day gone by, so only the certificates issued by then are counted (slower: they
        are read one by one)."""

    async def get_stored_credit(self, usccs: Sequence[str]) -> list[StoredCredit]:
        """The stored credit assessments of the named institutions (those that have one)."""

    async def rank_institutions(
        self, query: RankingQuery, *, after: tuple[float, str] | None, limit: int
    ) -> list[RankedInstitution]:
        """Ranked institutions by ranking key descending (the score; the unrated after every
        score), then USCC, after (key, uscc); as the keys stood at ``query.as_of`` when set."""

    async def count_ranked(self, query: RankingQuery) -> int:
        """How many institutions ``rank_institutions`` would give over all pages; pinned
        (``query.as_of``, at most the change head) it never changes, and may be cached."""

    async def region_statistics(
        self, codes: Sequence[str], *, today: str
    ) -> list[RegionStatistics]:
        """Counts per region, sub-regions included; ``today`` (ISO date) decides validity."""

    async def region_months(self, code: str, *, today: str) -> list[RegionMonth]:
        """The region's (sub-regions included) counted events per month up to ``today``'s
        month, with that month's per-day sums (graph.tallies); oldest month first."""

    async def find_api_key(self, digest: str) -> ApiKey | None:
        """The credential whose secret hashes to ``digest`` (revoked and expired ones too)."""

    async def list_api_keys(self) -> list[ApiKey]:
        """Every credential, oldest first."""

    async def record_api_key_use(self, digest: str, *, at: str, stale_before: str) -> bool:
        """Note that the key was used ``at``, unless it was noted at or after ``stale_before``
        (bookkeeping outside the change log); whether anything was written."""

    # writes: one atomic statement per batch of at most MAX_WRITE_BATCH -----------------------
    # A ``guard`` is checked in the same compare-and-set as the batch: a live idempotency key
    # raises AlreadyApplied (nothing written), a stale expected version StaleVersion.
    async def upsert_regions(self, regions: Sequence[Region], *, actor: str) -> WriteResult:
        """Create or update regions; parents must exist or come earlier in the batch."""

    async def upsert_institutions(
        self, institutions: Sequence[Institution], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or update institutions with their region, group, representative, address;
        the status of a new one is its first step (effective when founded, else today)."""

    async def upsert_organizations(
        self, organizations: Sequence[Organization], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or update certificate holders."""

    async def upsert_accreditations(
        self,
        accreditations: Sequence[Accreditation],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Create or update accreditations between existing bodies and holders; the status of
        a new one is its first step, effective ``valid_from``."""

    async def change_accreditation_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Append steps (status from ``effective_on``, scope extended or reduced) to each
        accreditation's history."""

    async def change_institution_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Append steps of an institution's own status (``number`` is its USCC)."""

    async def issue_certificates(
        self, certificates: Sequence[Certificate], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or replace certificates; issuers and holders must exist."""

    async def change_certificate_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Append steps to each certificate's history, each in force from ``effective_on``."""

    async def record_complaints(
        self, complaints: Sequence[Complaint], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or update complaints against existing institutions (seeds, imports)."""

    async def file_complaints(
        self, complaints: Sequence[Complaint], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create new complaints with their first step; an id that exists is a Conflict."""

    async def advance_complaints(
        self,
        advances: Sequence[ComplaintAdvance],
        *,
        against: Mapping[str, str],
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Append a step to each named complaint (NotFound for unknown ones); ``against``
        names each one's institution, for its change record."""

    async def publish_credit_ratings(
        self, ratings: Sequence[CreditRating], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or update credit ratings."""

    async def record_credit_events(
        self, events: Sequence[CreditEvent], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create or update credit-file events; a spot check may name its supervision plan."""

    async def record_service_evaluations(
        self,
        evaluations: Sequence[ServiceEvaluation],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Create or update satisfaction forms and mystery-customer visits."""

    async def record_service_assessments(
        self,
        assessments: Sequence[ServiceAssessment],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Create or replace the assessments of existing certificates (one per number)."""

    async def store_credit(
        self,
        scores: Sequence[StoredCredit],
        *,
        actor: str,
        expected: Mapping[str, StoredCredit | None] | None = None,
    ) -> WriteResult:
        """Keep credit assessments on their Institution nodes (CREDIT changes); the ranking
        keys they replace are kept for rankings pinned before them. With ``expected`` (each
        institution's stored assessment the new one was computed against, None for none),
        nothing is written and CreditMoved is raised when another write changed one since."""

    async def clear_credit(self, usccs: Sequence[str], *, actor: str) -> WriteResult:
        """Remove the named institutions' assessments: they are not ranked any more."""

    async def claim_rescore(self, day: date) -> bool:
        """Claim the rescore of a new ``day`` (bookkeeping): True for the one caller that
        claims it first, False once it is claimed (or for a day before the last one claimed)."""

    async def bring_steps_into_force(self, day: date, *, actor: str) -> int:
        """Write into the documents of certificates, accreditations and institutions the
        status steps that have taken effect by ``day`` since they were last written (steps
        recorded ahead of their date), each as an ``IN_FORCE`` change; how many. Any number
        of processes may run it at once: a record's step is written once."""

    async def prune_credit_history(self, *, before: str, chunk: int = 10_000) -> int:
        """Forget ranking keys replaced before ``before`` (ISO 8601 UTC); how many went."""

    async def save_api_key(self, key: ApiKey, *, actor: str) -> WriteResult:
        """Store a credential (its digest only)."""

    async def revoke_api_key(self, digest: str, *, at: str, actor: str) -> WriteResult:
        """Revoke a credential for good (a logged change); NotFound when there is none."""

    # supervision plans ('double random, one public') -----------------------------------
    async def store_supervision_plan(
        self, plan: SupervisionPlan, *, actor: str, alone_in: Sequence[str] = ()
    ) -> WriteResult:
        """Keep a drawn plan (keyed by its digest) covering its region, in one logged write;
        Conflict when a plan of its day covers one of ``alone_in`` (checked atomically)."""

    async def get_supervision_plans(
        self, region: str, *, before: date | None = None, limit: int
    ) -> list[SupervisionPlan]:
        """Plans covering ``region``: of it, of its sub-regions and of the regions above it
        (dated before ``before``, when given), newest first."""

    async def get_supervision_plans_by_id(self, ids: Sequence[str]) -> list[SupervisionPlan]:
        """The named plans (those that exist)."""

    async def get_plan_results(self, ids: Sequence[str]) -> list[CreditEvent]:
        """The spot-check results entered against the named plans."""

    # networks (regulators) ------------------------------------------------------------------
    async def get_network(
        self, uscc: str, *, depth: int, relations: Collection[str], max_nodes: int
    ) -> Network | None:
        """Everything within ``depth`` party hops of ``uscc`` over ``relations`` (GROUP,
        SHARED_PERSON, SHARED_ADDRESS, ISSUED, COMPLAINTS), at most ``max_nodes`` nodes."""

    async def find_connection(
        self, source: str, target: str, *, max_depth: int, relations: Collection[str]
    ) -> InstitutionPath | None:
        """A shortest chain of at most ``max_depth`` party hops between two parties."""

    async def get_shared_clusters(self, *, region: str | None = None) -> list[SharedCluster]:
        """Institutions sharing a legal representative or an address (with a member in
        ``region`` or its sub-regions, when given)."""

    # disputes and data quality ---------------------------------------------------------
    async def file_dispute(self, dispute: Dispute, *, actor: str) -> WriteResult:
        """Keep a new dispute about an existing record; its contact is never logged."""

    async def answer_dispute(
        self,
        dispute_id: str,
        *,
        status: str,
        answer: str,
        answered_by: str,
        answered_on: date,
        actor: str,
    ) -> WriteResult:
        """Close an open dispute: Conflict when it is closed already, NotFound when unknown."""

    async def get_disputes(self, ids: Sequence[str]) -> list[Dispute]: ...

    async def get_disputes_of(self, usccs: Sequence[str]) -> list[Dispute]:
        """Disputes about the records of the named institutions, newest first."""

    async def get_data_quality_counts(
        self, usccs: Sequence[str], *, since: date, late_after_days: int
    ) -> list[DataQualityCounts]:
        """Per issuer, in the order asked: certificates, missing fields, status changes and
        late ones, answered and upheld disputes, counted in the store."""

    async def get_issue_groups(self, usccs: Sequence[str], *, since: date) -> list[IssueGroup]:
        """The named issuers' certificates issued on or after ``since``, counted by family,
        standard and issue day."""
