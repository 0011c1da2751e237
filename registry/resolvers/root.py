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
    complaints,
    disputes,
    mutations,
    network,
    queries,
    ranking,
    service_assessments,
    supervision,
    timelines,
    trust,
    verification,
)
from registry.resolvers import stations as station_resolvers
from registry.schema.certificates import Certificate
from registry.schema.changes import Change
from registry.schema.dispute_payloads import DisputeRecordPayload, ResolveDisputePayload
from registry.schema.disputes import Dispute
from registry.schema.document_cache import DocumentCache, OffLoopDocuments
from registry.schema.errors import MaskInternalErrors, is_public_error, is_store_outage
from registry.schema.execution import LeafReadingExecutionContext
from registry.schema.guards import RequestGuards
from registry.schema.input_building import plan_inputs
from registry.schema.institutions import Accreditation, Institution, Organization
from registry.schema.network import Anomalies, InstitutionPath, SeesNetworks
from registry.schema.operation_metrics import OperationMetrics
from registry.schema.pagination import Connection
from registry.schema.payloads import (
    AdvanceComplaintPayload,
    ChangeAccreditationStatusPayload,
    ChangeCertificateStatusPayload,
    ChangeInstitutionStatusPayload,
    ConfirmServiceAssessmentPayload,
    DrawSupervisionPlanPayload,
    FileComplaintPayload,
    IssueCertificatesPayload,
    PublishCreditRatingsPayload,
    RecordCreditEventsPayload,
    RecordServiceAssessmentsPayload,
    RecordServiceEvaluationsPayload,
    UpsertAccreditationsPayload,
    UpsertInstitutionsPayload,
    UpsertOrganizationsPayload,
)
from registry.schema.ranking import RankingConnection
from registry.schema.regions import Region
from registry.schema.service_assessment import ServiceStandard
from registry.schema.station_payloads import (
    AdvanceServiceRequestPayload,
    ConfirmServiceEvaluationPayload,
    ConfirmServiceRequestPayload,
    DesignateBenchmarkPayload,
    EvaluateServiceRequestPayload,
    SubmitServiceRequestPayload,
    UpsertStationsPayload,
)
from registry.schema.stations import Benchmark, ServiceRequest, ServiceStation
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
    standard: ServiceStandard | None = strawberry.field(
        resolver=service_assessments.standard,
        description="Public: a service-certification standard or scheme as the registry "
        "models it (GB/T 27922-2011, SB/T 10595-2011, GA/T 594-2006, CCSC-SC-JYJC-2017).",
    )
    service_standards: list[ServiceStandard] = strawberry.field(
        resolver=service_assessments.service_standards,
        description="Public: every service-certification standard the registry models.",
    )
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
    dispute: Dispute | None = strawberry.field(
        resolver=disputes.dispute,
        description="Public: a dispute by the id its filer was given (its contact only for "
        "the record's issuer and regulator).",
    )
    stations: list[ServiceStation] = strawberry.field(
        resolver=station_resolvers.stations,
        description="Public: the one-stop quality service stations of a region (sub-regions "
        "included) offering a service item, with their catalogue, staff roles and performance.",
    )
    service_request: ServiceRequest | None = strawberry.field(
        resolver=station_resolvers.service_request,
        description="A service request: for its station and regulator, or with its token; "
        "null otherwise, as for no such request.",
    )
    benchmarks: list[Benchmark] = strawberry.field(
        resolver=station_resolvers.benchmarks,
        description="Public: the service benchmarks of a category (in a region and below), "
        "newest year first, with their evidence (stars, CPSQ, satisfaction).",
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
        "closure, from its effective date (a regulator's or accreditation body's: ADMIN).",
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
    record_service_assessments: RecordServiceAssessmentsPayload = strawberry.mutation(
        resolver=service_assessments.record_service_assessments,
        description="Certification bodies (and partners) for the service certificates they "
        "issued: how the stars were earned. The certificate's stars must be those the "
        "assessment earns under its standard. They count in the holder's credit once its "
        "regulator confirms them (confirmServiceAssessment).",
    )
    confirm_service_assessment: ConfirmServiceAssessmentPayload = strawberry.mutation(
        resolver=service_assessments.confirm_service_assessment,
        description="Regulators of the holder's region: the holder sought and holds this "
        "service certificate, so its stars count in the holder's credit from today (never on "
        "days before). Once: ALREADY_CONFIRMED after; NOT_ASSESSED before its assessment.",
    )
    file_complaint: FileComplaintPayload = strawberry.mutation(
        resolver=complaints.file_complaint,
        description="Anyone, with or without a key: file a complaint against an institution. "
        "Counted like a public lookup. Only its id and due date come back; your contact is "
        "shown to the regulators of the institution's region only. Without an API key, an "
        "idempotencyKey is shared by every anonymous caller: use a random one (a UUID).",
    )
    advance_complaint: AdvanceComplaintPayload = strawberry.mutation(
        resolver=complaints.advance_complaint,
        description="Regulators of the institution's region: the next step of a complaint "
        "(accept or reject within 7 days, resolve or close within 60 days of acceptance), "
        "with the finding and reason the step needs.",
    )
    upsert_stations: UpsertStationsPayload = strawberry.mutation(
        resolver=station_resolvers.upsert_stations,
        description="One-stop quality service stations, for themselves (regulators: in their "
        "jurisdiction): the catalogue of service items (DB2101/T 0050-2022 §5), the "
        "providers each is routed to, staff roles (§9.2) and the committed completion days.",
    )
    submit_service_request: SubmitServiceRequestPayload = strawberry.mutation(
        resolver=station_resolvers.submit_service_request,
        description="Anyone (rate-limited): an enterprise's demand to a station (Annex A). "
        "Returns the request and a token, shown once, to follow and evaluate it.",
    )
    advance_service_request: AdvanceServiceRequestPayload = strawberry.mutation(
        resolver=station_resolvers.advance_service_request,
        description="The station's staff, for its own requests: matched, in service, done "
        "or rejected (§6, §7.2); INVALID_TRANSITION for a step the process does not allow.",
    )
    evaluate_service_request: EvaluateServiceRequestPayload = strawberry.mutation(
        resolver=station_resolvers.evaluate_service_request,
        description="The requester, with the request's token, once it is done: the Annex C "
        "satisfaction form, kept as a service evaluation of the station. It counts once the "
        "station's regulator confirmed who filled it in (confirmServiceEvaluation).",
    )
    confirm_service_request: ConfirmServiceRequestPayload = strawberry.mutation(
        resolver=station_resolvers.confirm_service_request,
        description="Regulators of the station's region: who asked was checked, so the "
        "request's stages count in the station's time limits and credit from today (anyone "
        "may submit a request). Once: ALREADY_CONFIRMED after.",
    )
    confirm_service_evaluation: ConfirmServiceEvaluationPayload = strawberry.mutation(
        resolver=station_resolvers.confirm_service_evaluation,
        description="Regulators of the station's region: who filled in a request's Annex C "
        "form was checked, so it counts in the station's satisfaction and credit from today. "
        "Once: ALREADY_CONFIRMED after; NOT_EVALUATED before the form.",
    )
    designate_benchmark: DesignateBenchmarkPayload = strawberry.mutation(
        resolver=station_resolvers.designate_benchmark,
        description="Regulators: mark a service benchmark (服务标杆) of a category and year "
        "in their jurisdiction, on stated criteria.",
    )
    draw_supervision_plan: DrawSupervisionPlanPayload = strawberry.mutation(
        resolver=supervision.draw_plan,
        description="Regulators: draw and publish a 'double random' spot-check plan for a "
        "region (sub-regions included) from a published seed.",
    )
    dispute_record: DisputeRecordPayload = strawberry.mutation(
        resolver=disputes.dispute_record,
        description="Anyone: say a field of a certificate, accreditation or institution is "
        "wrong. Rate-limited as a public lookup; the contact is never published.",
    )
    resolve_dispute: ResolveDisputePayload = strawberry.mutation(
        resolver=disputes.resolve_dispute,
        description="The record's issuer (an institution's record: its regulator) or the "
        "regulator of its region: uphold a dispute, stating the correction, or (the regulator "
        "only) reject it, stating why. The correction itself is made through the ordinary "
        "writes.",
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
        # Before OffLoopDocuments: a refused document is not validated.
        lambda: RequestGuards(documents),
        lambda: OffLoopDocuments(documents),
    ]
    schema = RegistrySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=LeafReadingExecutionContext,
    )
    plan_inputs(t.definition for t in schema.schema_converter.type_map.values())
    return schema
