"""The root Query and Mutation types, and the schema with its protective extensions."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from registry.resolvers import changes as feed
from registry.resolvers import (
    mutations,
    network,
    queries,
    ranking,
    supervision,
    timelines,
    trust,
    verification,
)
from registry.schema.certificates import Certificate
from registry.schema.changes import Change
from registry.schema.document_cache import DocumentCache, OffLoopDocuments
from registry.schema.errors import MaskInternalErrors, is_public_error, is_store_outage
from registry.schema.guards import RequestGuards
from registry.schema.institutions import Accreditation, Institution, Organization
from registry.schema.network import Anomalies, InstitutionPath, SeesNetworks
from registry.schema.operation_metrics import OperationMetrics
from registry.schema.pagination import Connection
from registry.schema.payloads import (
    ChangeAccreditationStatusPayload,
    ChangeCertificateStatusPayload,
    ChangeInstitutionStatusPayload,
    DrawSupervisionPlanPayload,
    IssueCertificatesPayload,
    PublishCreditRatingsPayload,
    RecordCreditEventsPayload,
    RecordServiceEvaluationsPayload,
    UpsertAccreditationsPayload,
    UpsertInstitutionsPayload,
    UpsertOrganizationsPayload,
)
from registry.schema.ranking import RankingConnection
from registry.schema.regions import Region
from registry.schema.supervision import SupervisionPlan
from registry.schema.trust import AuditCheckpoint, TokenVerification
from registry.schema.verification import PublicCertificate, VerificationResult
from registry.settings import Settings

__all__ = ["Mutation", "Query", "RegistrySchema", "build_schema"]

log = logging.getLogger("registry")


class RegistrySchema(strawberry.Schema):
    """Logs only the errors nobody expected; refusals we raise on purpose are answers, and
    a store outage is one warning line (not a traceback per field)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        outages = [error for error in errors if is_store_outage(error)]
        if outages:
            log.warning("store unavailable: %s", outages[0].original_error)
        unexpected = [e for e in errors if not is_public_error(e) and not is_store_outage(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


@strawberry.type
class Query:
    institution: Institution | None = strawberry.field(resolver=queries.institution)
    institutions: Connection[Institution] = strawberry.field(resolver=queries.institutions)
    organization: Organization | None = strawberry.field(resolver=queries.organization)
    accreditation: Accreditation | None = strawberry.field(resolver=queries.accreditation)
    certificate: Certificate | None = strawberry.field(resolver=queries.certificate)
    certificates: Connection[Certificate] = strawberry.field(resolver=queries.certificates)
    region: Region | None = strawberry.field(resolver=queries.region)
    verify_certificate: VerificationResult = strawberry.field(
        resolver=verification.verify_certificate_field,
        description="Public: is the certificate genuine and valid today (or on asOf)? Same "
        "shape if unknown.",
    )
    search_certificates: Connection[PublicCertificate] = strawberry.field(
        resolver=verification.search_certificates,
        description="Public: certificates by holder name (or part, pinyin, one typo), holder "
        "USCC or certificate number (or prefix), exact matches first; up to 20 a page and the "
        "first 100 matches in all (totalCount counts those): a search is a lookup, not a "
        "listing, so narrow the query to reach others.",
    )
    verify_token: TokenVerification = strawberry.field(
        resolver=trust.verify_token,
        description="Public: was this QR token signed by the registry, does it still describe "
        "the certificate, and is the certificate valid today? Takes the token or the whole "
        "link a QR code holds (…/v/TOKEN).",
    )
    audit_checkpoint: AuditCheckpoint = strawberry.field(
        resolver=trust.audit_checkpoint,
        description="Public: the head of the hash-chained change log, signed by the registry.",
    )
    ranking: RankingConnection = strawberry.field(
        resolver=ranking.ranking,
        description="Public: supervised institutions by stored credit score (best first, "
        "ties in a fixed order, the unrated last unless includeUnrated is false); regions include "
        "their sub-regions; tied scores share a rank. The first page pins the change seq "
        "(asOf) and every later page of the walk reads the scores as they stood then.",
    )
    supervision_plans: list[SupervisionPlan] = strawberry.field(
        resolver=supervision.supervision_plans,
        description="Public ('one public'): the spot-check plans drawn for a region, newest "
        "first; inspectors appear by internal id only.",
    )
    changes: Connection[Change] = strawberry.field(
        resolver=feed.changes,
        description="The change feed (partners and operators), oldest first, up to 1,000 a "
        "page: resume from the last endCursor. A filtered page looks at up to 100,000 "
        "changes and may come back empty with a cursor further on; follow it while "
        "hasNextPage.",
    )
    connection: InstitutionPath | None = strawberry.field(
        resolver=network.connection,
        permission_classes=[SeesNetworks],
        description="Regulators: a shortest chain between two parties, null beyond maxDepth.",
    )
    anomalies: Anomalies | None = strawberry.field(
        resolver=network.anomalies,
        permission_classes=[SeesNetworks],
        description="Regulators: certificates issued without accreditation or outside its "
        "scope, and institutions sharing a representative or address.",
    )


@strawberry.type
class Mutation:
    upsert_institutions: UpsertInstitutionsPayload = strawberry.mutation(
        resolver=mutations.upsert_institutions
    )
    upsert_organizations: UpsertOrganizationsPayload = strawberry.mutation(
        resolver=mutations.upsert_organizations
    )
    upsert_accreditations: UpsertAccreditationsPayload = strawberry.mutation(
        resolver=mutations.upsert_accreditations
    )
    issue_certificates: IssueCertificatesPayload = strawberry.mutation(
        resolver=mutations.issue_certificates
    )
    change_certificate_status: ChangeCertificateStatusPayload = strawberry.mutation(
        resolver=mutations.change_certificate_status
    )
    change_accreditation_status: ChangeAccreditationStatusPayload = strawberry.mutation(
        resolver=timelines.change_accreditation_status,
        description="Accreditation bodies, for the accreditations they granted: status and "
        "scope steps, each from its effective date (a later date schedules it).",
    )
    change_institution_status: ChangeInstitutionStatusPayload = strawberry.mutation(
        resolver=timelines.change_institution_status,
        description="Regulators: an institution's own suspension, restoration, revocation or "
        "closure, from its effective date.",
    )
    publish_credit_ratings: PublishCreditRatingsPayload = strawberry.mutation(
        resolver=mutations.publish_credit_ratings,
        description="Associations: credit grades for their members (history is kept).",
    )
    record_credit_events: RecordCreditEventsPayload = strawberry.mutation(
        resolver=mutations.record_credit_events,
        description="Regulators: records of the quality-credit file, and their credit repair.",
    )
    record_service_evaluations: RecordServiceEvaluationsPayload = strawberry.mutation(
        resolver=mutations.record_service_evaluations,
        description="Regulators, and associations for their members: satisfaction forms "
        "(DB2101/T 0050-2022 Annex C) and mystery-customer visits.",
    )
    draw_supervision_plan: DrawSupervisionPlanPayload = strawberry.mutation(
        resolver=supervision.draw_plan,
        description="Regulators: draw and publish a 'double random' spot-check plan for a "
        "region (sub-regions included) from a published seed.",
    )


@strawberry.type
class Subscription:
    changes: AsyncGenerator[Change, None] = strawberry.subscription(
        resolver=feed.follow_changes,
        description="Partners: the change feed, live (graphql-transport-ws on /graphql; send "
        "the API key as connectionParams {Authorization: 'Bearer …'}). Starts after the "
        "cursor, catches up, then streams each change as it is written.",
    )


def build_schema(settings: Settings, documents: DocumentCache | None = None) -> strawberry.Schema:
    """The schema with the query-shape limits from ``settings``; parse and validation go
    through ``documents`` (shared with the HTTP gate, which parses first), off the loop."""
    # Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk every fragment spread on
    # every path (2^k steps for k fragments that each spread the next twice): the guards
    # measure depth, aliases and cost in one linear pass before validation instead.
    if documents is None:
        documents = DocumentCache(
            max_tokens=settings.max_tokens, max_bytes=settings.document_cache_bytes
        )
    extensions: list[Any] = [
        MaskInternalErrors,
        OperationMetrics,
        RequestGuards,  # before OffLoopDocuments: a refused document is not validated
        lambda: OffLoopDocuments(documents),
    ]
    return RegistrySchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )
