"""Who may do what: one table of writes (which roles call each mutation, and how far each
reaches), and the read rules of keys bound to parties, scopes and jurisdictions.

A key carries an ``Access``: the institutions it acts for, and the regions (with their
sub-regions) and entities it covers. A PARTNER's regions and entities are its scope (none:
the whole registry); a REGULATOR's regions are its jurisdiction (none: a key made before
keys named one, which writes nothing and sees nothing confidential until re-issued).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from graph.network_models import NetworkEdge, NetworkNode
from registry.domain.vocabulary import ChangeEntity, Role

__all__ = [
    "MUTATION_ENTITIES",
    "MUTATION_ROLES",
    "WRITE_RULES",
    "Access",
    "Listing",
    "Reach",
    "Refused",
    "RowClaim",
    "covers",
    "feed_hidden_entities",
    "lapsed_credit_hidden",
    "listing",
    "may_read_changes",
    "may_see_complaints",
    "may_see_confidential",
    "may_see_overdue_suspensions",
    "may_see_personal_data",
    "may_see_station_requests",
    "may_see_status_actor",
    "may_see_withdrawn_credit_events",
    "screened_network",
    "write_refusals",
]


class Reach(StrEnum):
    """How far a role's writes reach in one mutation."""

    EVERYTHING = "everything"  # ADMIN
    OWN = "own"  # rows written in the name of one of the key's institutions (a partner: in scope)
    JURISDICTION = "jurisdiction"  # rows about things in the key's region tree (regulators)
    ANYONE = "anyone"  # the public's own demand (rate-limited like every request)
    REQUESTER = "requester"  # rows the caller proves its own with a secret the registry gave it


_A, _OWN, _JUR = Reach.EVERYTHING, Reach.OWN, Reach.JURISDICTION
_CB, _AS, _PA, _RE = Role.CERTIFICATION_BODY, Role.ASSOCIATION, Role.PARTNER, Role.REGULATOR
_ST = Role.STATION
# A mutation anyone may call, key or none: it writes in nobody's name, only what was said or
# asked (a complaint, a dispute, a demand to a station), and counts against the public lookup
# allowance (registry/http/lookups.py).
_ANYONE: Mapping[Role, Reach] = {**{role: Reach.ANYONE for role in Role}, Role.ADMIN: _A}

# The table, one row per GraphQL mutation. A role missing from a row may not call it
# (NOT_AUTHORIZED on ``input``); writes that are not mutations (regions, complaints recorded
# whole: seeds and imports) are ADMIN's alone.
WRITE_RULES: Mapping[str, Mapping[Role, Reach]] = {
    "upsertInstitutions": {Role.ADMIN: _A, _RE: _JUR, _PA: _OWN},
    "upsertOrganizations": {Role.ADMIN: _A, _RE: _JUR, _PA: _OWN, _CB: _OWN},
    "upsertAccreditations": {Role.ADMIN: _A, _RE: _JUR, _PA: _OWN},
    "issueCertificates": {Role.ADMIN: _A, _PA: _OWN, _CB: _OWN},
    "changeCertificateStatus": {Role.ADMIN: _A, _RE: _JUR, _PA: _OWN, _CB: _OWN},
    "publishCreditRatings": {Role.ADMIN: _A, _PA: _OWN, _AS: _OWN},
    "recordCreditEvents": {Role.ADMIN: _A, _RE: _JUR},
    "recordServiceEvaluations": {Role.ADMIN: _A, _RE: _JUR, _AS: _OWN},
    # Issue 16: the body that issued a service certificate records how its stars were earned.
    "recordServiceAssessments": {Role.ADMIN: _A, _PA: _OWN, _CB: _OWN},
    # Its stars count in the holder's credit once the holder's regulator confirmed the holder
    # sought and holds the certificate: a body gave stars to a lab it had never served.
    "confirmServiceAssessment": {Role.ADMIN: _A, _RE: _JUR},
    "drawSupervisionPlan": {Role.ADMIN: _A, _RE: _JUR},
    # Timelines (issue 13): an accreditation body changes the accreditations it granted
    # (also through a partner system), a regulator those in its jurisdiction, as it writes
    # them (a CMA's scope changes only as dated steps); an institution's own standing is its
    # regulator's.
    "changeAccreditationStatus": {
        Role.ADMIN: _A,
        Role.ACCREDITATION_BODY: _OWN,
        _RE: _JUR,
        _PA: _OWN,
    },
    "changeInstitutionStatus": {Role.ADMIN: _A, _RE: _JUR},
    # Disputes (issue 14): the record's issuer answers, or the regulator of its region
    # (``registry.domain.disputes`` adds that an institution's record is its regulator's).
    # Filing one is open to anyone.
    "disputeRecord": _ANYONE,
    "resolveDispute": {
        Role.ADMIN: _A,
        _RE: _JUR,
        _CB: _OWN,
        Role.ACCREDITATION_BODY: _OWN,
        _PA: _OWN,
    },
    # Anyone files a complaint; the regulator of the institution complained against handles it.
    "fileComplaint": _ANYONE,
    "advanceComplaint": {Role.ADMIN: _A, _RE: _JUR},
    # One-stop quality service stations (DB2101/T 0050-2022): a station keeps its own
    # catalogue and moves its own requests; any enterprise asks (Annex A) and only the one
    # holding the request's token evaluates it (Annex C); regulators name benchmarks.
    "upsertStations": {Role.ADMIN: _A, _RE: _JUR, _ST: _OWN},
    "submitServiceRequest": _ANYONE,
    "advanceServiceRequest": {Role.ADMIN: _A, _ST: _OWN},
    "evaluateServiceRequest": {**{role: Reach.REQUESTER for role in Role}, Role.ADMIN: _A},
    # A request's stages and its requester's form count once the station's regulator
    # confirmed who asked and who filled the form in.
    "confirmServiceRequest": {Role.ADMIN: _A, _RE: _JUR},
    "confirmServiceEvaluation": {Role.ADMIN: _A, _RE: _JUR},
    "designateBenchmark": {Role.ADMIN: _A, _RE: _JUR},
}

MUTATION_ROLES: Mapping[str, frozenset[Role]] = {
    mutation: frozenset(rules) for mutation, rules in WRITE_RULES.items()
}

# What each mutation writes: a partner scoped to entities writes only those.
MUTATION_ENTITIES: Mapping[str, ChangeEntity] = {
    "upsertInstitutions": ChangeEntity.INSTITUTION,
    "upsertOrganizations": ChangeEntity.ORGANIZATION,
    "upsertAccreditations": ChangeEntity.ACCREDITATION,
    "issueCertificates": ChangeEntity.CERTIFICATE,
    "changeCertificateStatus": ChangeEntity.CERTIFICATE,
    "publishCreditRatings": ChangeEntity.CREDIT_RATING,
    "recordCreditEvents": ChangeEntity.CREDIT_EVENT,
    "recordServiceEvaluations": ChangeEntity.SERVICE_EVALUATION,
    "recordServiceAssessments": ChangeEntity.SERVICE_ASSESSMENT,
    "confirmServiceAssessment": ChangeEntity.SERVICE_ASSESSMENT,
    "drawSupervisionPlan": ChangeEntity.SUPERVISION_PLAN,
    "changeAccreditationStatus": ChangeEntity.ACCREDITATION,
    "changeInstitutionStatus": ChangeEntity.INSTITUTION,
    "disputeRecord": ChangeEntity.DISPUTE,
    "resolveDispute": ChangeEntity.DISPUTE,
    "fileComplaint": ChangeEntity.COMPLAINT,
    "advanceComplaint": ChangeEntity.COMPLAINT,
    "upsertStations": ChangeEntity.SERVICE_STATION,
    "submitServiceRequest": ChangeEntity.SERVICE_REQUEST,
    "advanceServiceRequest": ChangeEntity.SERVICE_REQUEST,
    "evaluateServiceRequest": ChangeEntity.SERVICE_REQUEST,
    "confirmServiceRequest": ChangeEntity.SERVICE_REQUEST,
    "confirmServiceEvaluation": ChangeEntity.SERVICE_EVALUATION,
    "designateBenchmark": ChangeEntity.BENCHMARK,
}


@dataclass(frozen=True, slots=True)
class Access:
    """What one key may touch. ``regions`` are region codes with their sub-regions already
    included (see ``registry.domain.regions``)."""

    role: Role
    institutions: frozenset[str] = frozenset()
    entities: frozenset[str] | None = None
    regions: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class RowClaim:
    """What one input row touches, as written and as stored.

    ``all_of``: every institution in whose name the row writes (each must be the key's);
    ``any_of``: when given, the row is the key's if one of these is (a holder is the
    business of every body that certified it); ``regions``: the regions the row concerns
    (None: a stored record whose region is unknown, which no region set covers);
    ``regulated``: the fields the row changes that are its regulator's call (an
    institution's status; its kinds, which decide what it may grant, certify or publish),
    each with the reason.
    """

    party_field: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] | None = None
    region_field: str = "input"
    regions: tuple[str | None, ...] = ()
    regulated: tuple[Refused, ...] = ()


def write_refusals(access: Access, mutation: str, claims: Iterable[RowClaim]) -> list[Refused]:
    """Every reason the key may not write these rows (empty: it may). The role must be in
    the mutation's row of the table; then the rows must be within its reach."""
    rules = WRITE_RULES.get(mutation, {})
    reach = rules.get(access.role)
    if reach is None:
        return [Refused("input", f"role {access.role.value} may not call {mutation}")]
    if reach in (Reach.EVERYTHING, Reach.ANYONE, Reach.REQUESTER):
        return []  # a token is checked by the operation that holds the row
    claims = list(claims)
    if reach is Reach.JURISDICTION:
        if access.regions is None:
            return [
                Refused(
                    "input",
                    "this key names no region: re-issue it with --region to write for one",
                )
            ]
        return _outside(access.regions, claims)
    refused: list[Refused] = []
    entity = MUTATION_ENTITIES[mutation].value
    if access.entities is not None and entity not in access.entities:
        covered = ", ".join(sorted(access.entities))
        refused.append(Refused("input", f"this key's scope covers {covered}, not {entity}"))
    for claim in claims:
        refused += _not_own(access, claim)
    if access.regions is not None:
        refused += _outside(access.regions, claims)
    return refused


def _not_own(access: Access, claim: RowClaim) -> list[Refused]:
    mine = access.institutions
    if not mine:
        return [Refused(claim.party_field, "this key acts for no institution: it writes nothing")]
    refused = [
        Refused(claim.party_field, f"this key may not act for {party}")
        for party in dict.fromkeys(claim.all_of)
        if party not in mine
    ]
    if claim.any_of is not None and not mine.intersection(claim.any_of):
        refused.append(
            Refused(claim.party_field, "not a holder of a certificate this key's bodies issued")
        )
    return refused + list(claim.regulated)


def _outside(regions: frozenset[str], claims: Iterable[RowClaim]) -> list[Refused]:
    return [
        Refused(
            claim.region_field,
            "its region is unknown, so outside this key's regions"
            if region is None
            else f"region {region} is outside this key's regions",
        )
        for claim in claims
        for region in dict.fromkeys(claim.regions)
        if region is None or region not in regions
    ]


# Reads ----------------------------------------------------------------------------------

_OVERSIGHT = frozenset({Role.ADMIN, Role.REGULATOR})


def may_see_personal_data(role: Role) -> bool:
    """Names of natural persons (legal representatives) are personal data."""
    return role in _OVERSIGHT


def may_see_complaints(role: Role) -> bool:
    """Complaint details are confidential to the regulators handling them."""
    return role in _OVERSIGHT


def lapsed_credit_hidden(role: Role, entity: str, data: Mapping[str, object], today: str) -> bool:
    """Whether a credit event's document is past its publicity period (or repaired) on
    ``today`` and so hidden from ``role`` on the feed and the snapshots, as GraphQL hides it:
    credit records no longer public are for ADMIN and regulators (who read within their
    jurisdiction) only."""
    if entity != ChangeEntity.CREDIT_EVENT.value or role in _OVERSIGHT:
        return False
    until, repaired = data.get("publicUntil"), data.get("repairedOn")
    return (isinstance(until, str) and until < today) or (
        isinstance(repaired, str) and repaired <= today
    )


def may_see_status_actor(role: Role) -> bool:
    """Which credential recorded a status change is internal audit information."""
    return role in _OVERSIGHT | {Role.PARTNER}


def may_read_changes(role: Role) -> bool:
    """The change feed is for synchronising partners and operators."""
    return role in {Role.ADMIN, Role.PARTNER}


def may_see_overdue_suspensions(role: Role) -> bool:
    """A suspension past its limit is for the regulators to act on (issue 13)."""
    return role in _OVERSIGHT


def may_see_withdrawn_credit_events(role: Role) -> bool:
    """Negative records past their publicity period, or repaired, stay visible to oversight."""
    return role in _OVERSIGHT


def covers(access: Access, region: str | None, entity: str | None = None) -> bool:
    """Whether something of ``entity`` in ``region`` is within the key's scope (a partner:
    everything when unscoped) or jurisdiction (a regulator: nothing without one). Other
    roles have neither, and an administrator covers everything."""
    if access.role is Role.ADMIN:
        return True
    if access.role is Role.PARTNER:
        in_entities = entity is None or access.entities is None or entity in access.entities
        return in_entities and (access.regions is None or region in access.regions)
    if access.role is Role.REGULATOR:
        return access.regions is not None and region in access.regions
    return False


def may_see_station_requests(access: Access, station: str, region: str | None) -> bool:
    """Who asked a station, what for and how to reach them (§9.3.3): the station's own
    staff, its regulator, administrators."""
    if access.role is Role.STATION:
        return station in access.institutions
    return access.role in _OVERSIGHT and covers(access, region)


def may_see_confidential(access: Access, region: str | None) -> bool:
    """Complaint details, personal data, networks and withdrawn records of an institution
    in ``region``: oversight roles, a regulator only within its jurisdiction."""
    return may_see_complaints(access.role) and covers(access, region)


def screened_network(
    access: Access, nodes: Iterable[NetworkNode], edges: Iterable[NetworkEdge]
) -> tuple[tuple[NetworkNode, ...], tuple[NetworkEdge, ...]]:
    """A network (or path) as ``access`` may see it: a regulator explores past its
    jurisdiction (who certified or represents whom there is the network), but a complaint
    is shown only against an institution it may see confidential things of, and a person's
    name only where they represent one (else the node stays, unnamed, for the links)."""
    nodes, edges = tuple(nodes), tuple(edges)
    region = {n.id: n.region for n in nodes}
    seen: set[str] = set()
    for edge in edges:
        if edge.kind == "AGAINST" and may_see_confidential(access, region.get(edge.target)):
            seen.add(edge.source)
        elif edge.kind == "REPRESENTED_BY" and may_see_confidential(
            access, region.get(edge.source)
        ):
            seen.add(edge.target)
    shown = tuple(
        n if n.kind not in ("COMPLAINT", "PERSON") or n.id in seen else replace(n, label="")
        for n in nodes
        if n.kind != "COMPLAINT" or n.id in seen
    )
    ids = {n.id for n in shown}
    return shown, tuple(e for e in edges if e.source in ids and e.target in ids)


def feed_hidden_entities(role: Role) -> tuple[str, ...]:
    """What the change feed and its exports never carry for ``role``: API keys for anyone,
    complaints (whom they are against, their status) for those who may not read them, and
    disputes (their random id, which is the public's only way to one, and the filer's claim)
    for those who may not list them all: a key lists only those it may answer."""
    hidden = [ChangeEntity.API_KEY.value]
    if not may_see_complaints(role):
        hidden += [ChangeEntity.COMPLAINT.value, ChangeEntity.DISPUTE.value]
    return tuple(hidden)


@dataclass(frozen=True, slots=True)
class Listing:
    """How a key's listing of an entity is narrowed (to one issuer's certificates, to a
    region set), or why it is refused: (code, message)."""

    refusal: tuple[str, str] | None = None
    issuer: str | None = None
    within: frozenset[str] | None = None


# Roles that read certificates by number, never as a list.
_LOOK_UP_ONLY = frozenset({Role.PUBLIC, Role.ASSOCIATION, Role.STATION, Role.ACCREDITATION_BODY})


def listing(
    access: Access, entity: str, *, region: str | None = None, issuer: str | None = None
) -> Listing:
    """The public, associations, stations and accreditation bodies look certificates up one
    at a time (a list is what a harvester wants: design note 6); a certification body lists
    its own; a partner lists its scope; oversight lists everything. A filter outside the
    key's scope is refused OUT_OF_SCOPE, never silently narrowed."""
    role = access.role
    own = None
    if entity == ChangeEntity.CERTIFICATE.value:
        if role in _LOOK_UP_ONLY:
            return Listing(("NOT_AUTHORIZED", "listing certificates needs a key that may"))
        if role is Role.CERTIFICATION_BODY:
            if issuer is not None and issuer not in access.institutions:
                return Listing(("OUT_OF_SCOPE", "a certification body lists its own only"))
            own = issuer or min(access.institutions)
    if role is not Role.PARTNER:
        return Listing(issuer=own)
    if access.entities is not None and entity not in access.entities:
        covered = ", ".join(sorted(access.entities))
        return Listing(("OUT_OF_SCOPE", f"this key's scope covers {covered} only"))
    if region is not None and access.regions is not None and region not in access.regions:
        return Listing(("OUT_OF_SCOPE", f"region {region} is outside this key's scope"))
    return Listing(within=access.regions)
