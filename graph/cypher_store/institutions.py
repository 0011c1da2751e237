"""Institutions, organizations and accreditations for the GraphStore port: reads, listings
and their logged upserts."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.clock import registry_today
from graph.cypher import institutions as institution_cypher
from graph.cypher_store.base import (
    Reader,
    ReferenceCheck,
    Row,
    _list,
    _present,
    _require,
    as_int,
    upgrade_once,
)
from graph.cypher_store.search import holder_key_props
from graph.errors import Conflict
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, institution_from_row, to_props
from graph.models import Accreditation, Institution, InstitutionQuery, Organization
from graph.text import search_grams

__all__ = [
    "ACCREDITATION_KEPT",
    "INSTITUTION_KEPT",
    "LINK_KEY_PROPS",
    "InstitutionQueries",
    "address_key",
    "institution_node_props",
    "link_keys",
]


def address_key(text: str) -> str:
    """Two institutions at the same address share one Address node."""
    normalised = "".join(text.split()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


class InstitutionQueries(abc.ABC):
    """Mixed into CypherStore: institutions, organizations and accreditations."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
    async def _logged(
        self,
        name: str,
        statement: str,
        rows: list[Row],
        drafts: list[ChangeDraft],
        *,
        actor: str,
        check: ReferenceCheck | None = None,
        guard: WriteGuard | None = None,
    ) -> WriteResult: ...

    async def get_institutions(self, usccs: Sequence[str]) -> list[Institution]:
        rows = await self._query(
            "get_institutions", institution_cypher.GET_INSTITUTIONS, {"keys": list(usccs)}
        )
        return [institution_from_row(row) for row in rows]

    async def list_institutions(
        self, query: InstitutionQuery, *, after: str | None, limit: int
    ) -> list[Institution]:
        params = _institution_params(query, after=after)
        statement = institution_cypher.institution_listing(_present(params), count=False)
        rows = await self._query("list_institutions", statement, {**params, "limit": limit})
        return [institution_from_row(row) for row in rows]

    async def count_institutions(self, query: InstitutionQuery) -> int:
        params = _institution_params(query, after=None)
        statement = institution_cypher.institution_listing(_present(params), count=True)
        rows = await self._query("count_institutions", statement, params)
        return as_int(rows[0]["total"])

    async def institution_usccs(self) -> list[str]:
        rows = await self._query("institution_usccs", institution_cypher.INSTITUTION_USCCS, {})
        return [str(row["uscc"]) for row in rows]

    async def get_group_members(self, group_usccs: Sequence[str]) -> list[Institution]:
        rows = await self._query(
            "get_group_members", institution_cypher.GROUP_MEMBERS, {"keys": list(group_usccs)}
        )
        return [institution_from_row(row) for row in rows]

    async def get_represented(self, person_keys: Sequence[str]) -> dict[str, tuple[str, ...]]:
        rows = await self._query(
            "get_represented", institution_cypher.REPRESENTING, {"keys": sorted(set(person_keys))}
        )
        return {str(r["key"]): tuple(sorted(str(u) for u in _list(r["usccs"]))) for r in rows}

    async def get_organizations(self, usccs: Sequence[str]) -> list[Organization]:
        rows = await self._query(
            "get_organizations", institution_cypher.GET_ORGANIZATIONS, {"keys": list(usccs)}
        )
        return [from_row(Organization, row) for row in rows]

    async def get_accreditations_held(self, holder_usccs: Sequence[str]) -> list[Accreditation]:
        rows = await self._query(
            "get_accreditations_held",
            institution_cypher.ACCREDITATIONS_HELD,
            {"keys": list(holder_usccs)},
        )
        return [from_row(Accreditation, row) for row in rows]

    async def get_accreditations(self, numbers: Sequence[str]) -> list[Accreditation]:
        rows = await self._query(
            "get_accreditations", institution_cypher.GET_ACCREDITATIONS, {"keys": list(numbers)}
        )
        return [from_row(Accreditation, row) for row in rows]

    async def _upgrade_link_keys(self) -> int:
        """Give institutions written before they kept their links' keys those keys
        (idempotent, in bounded chunks; nothing to do on a store written since)."""
        return await upgrade_once(
            self._housekeeping,
            (institution_cypher.LINK_KEYS_KEPT, institution_cypher.LINK_KEYS_DONE),
            [institution_cypher.UPGRADE_LINK_KEYS],
        )

    async def upsert_institutions(
        self, institutions: Sequence[Institution], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = []
        drafts: list[ChangeDraft] = []
        day = registry_today().isoformat()
        for item in institutions:
            props = to_props(item, exclude=INSTITUTION_KEPT)
            stored = institution_node_props(item, props)
            first = {
                "status": item.status,
                "reason": "registered",
                "effectiveOn": item.founded.isoformat() if item.founded else day,
            }
            person = item.legal_representative
            rows.append(
                {
                    "uscc": item.uscc,
                    "props": stored,
                    "region": item.region,
                    "group": item.group,
                    "associations": list(item.associations),
                    "person": None if person is None else {"key": person.key, "name": person.name},
                    "addressKey": None if item.address is None else address_key(item.address),
                    "history": first,
                }
            )
            data = {
                **props,
                "statusIfNew": first,
                "group": item.group,
                "associations": list(item.associations),
                "legalRepresentative": None if person is None else person.key,
            }
            drafts.append(ChangeDraft("Institution", item.uscc, "UPSERT", data))
        batch = {item.uscc for item in institutions}

        async def check(read: Reader) -> None:
            await _require(read, "Region", {i.region for i in institutions})
            await _require(read, "Institution", {i.group for i in institutions if i.group} - batch)
            await _require(
                read, "Institution", {a for i in institutions for a in i.associations} - batch
            )
            await _refuse_renaming_others(read, institutions)

        return await self._logged(
            "upsert_institutions",
            institution_cypher.UPSERT_INSTITUTIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def upsert_organizations(
        self, organizations: Sequence[Organization], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = [
            {"uscc": o.uscc, "props": to_props(o, exclude=frozenset({"version"}))}
            for o in organizations
        ]
        for row, organization in zip(rows, organizations, strict=True):
            row["grams"] = search_grams(organization.name)
            row["keys"] = holder_key_props(organization.name)
        drafts = [
            ChangeDraft("Organization", o.uscc, "UPSERT", r["props"])  # type: ignore[arg-type]
            for o, r in zip(organizations, rows, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Region", {o.region for o in organizations})

        return await self._logged(
            "upsert_organizations",
            institution_cypher.UPSERT_ORGANIZATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def upsert_accreditations(
        self,
        accreditations: Sequence[Accreditation],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        rows: list[Row] = [
            {
                "number": a.number,
                "props": to_props(a, exclude=ACCREDITATION_KEPT),
                "history": {
                    "status": a.status,
                    "reason": "granted",
                    "effectiveOn": a.valid_from.isoformat(),
                },
            }
            for a in accreditations
        ]
        drafts = [
            ChangeDraft(
                "Accreditation",
                a.number,
                "UPSERT",
                {**r["props"], "statusIfNew": r["history"]},  # type: ignore[dict-item]
            )
            for a, r in zip(accreditations, rows, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(
                read,
                "Institution",
                {a.body for a in accreditations} | {a.holder for a in accreditations},
            )

        return await self._logged(
            "upsert_accreditations",
            institution_cypher.UPSERT_ACCREDITATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )


# What an upsert does not set: the store keeps versions, the status timeline (an upsert sets
# the status of a new record only, as its first step) and the relationships.
_TIMELINE = frozenset({"version", "status", "status_since", "status_until"})


async def _refuse_renaming_others(read: Reader, institutions: Sequence[Institution]) -> None:
    """A person with an ID number is one record wherever they represent: an institution
    naming them under another name would rename them for the institutions that named them
    first, with no change of theirs to show it."""
    rows = [
        {"uscc": i.uscc, "key": p.key, "name": p.name}
        for i in institutions
        if (p := i.legal_representative) is not None
    ]
    if not rows:
        return
    batch = sorted({i.uscc for i in institutions})
    found = await read(institution_cypher.PEOPLE_NAMED_ELSEWHERE, {"rows": rows, "batch": batch})
    if found:
        usccs = ", ".join(sorted(str(r["uscc"]) for r in found))
        raise Conflict(
            f"the legal representative of {usccs} is registered, by their ID number, under "
            "another name by another institution: a person is renamed by writing every "
            "institution they represent in one batch"
        )


INSTITUTION_KEPT = _TIMELINE | {"legal_representative", "group", "associations"}
ACCREDITATION_KEPT = _TIMELINE


# What an institution's node keeps of its relationships: the keys its MEMBER_OF, BELONGS_TO
# and REPRESENTED_BY relationships lead to, written with them, so that its document is read
# without aggregating relationships (design note 36).
LINK_KEY_PROPS = ("groupKey", "associationKeys", "representativeKey")


def link_keys(item: Institution) -> tuple[str | None, list[str], str | None]:
    """``item``'s values of ``LINK_KEY_PROPS``, in that order."""
    person = item.legal_representative
    return (
        item.group,
        list(dict.fromkeys(item.associations)),
        None if person is None else person.key,
    )


def institution_node_props(item: Institution, props: Mapping[str, object]) -> dict[str, object]:
    """What an institution's node holds: ``props`` (its fields but the kept ones) and its
    links' keys."""
    return {**props, **dict(zip(LINK_KEY_PROPS, link_keys(item), strict=True))}


def _institution_params(query: InstitutionQuery, *, after: str | None) -> dict[str, object]:
    return {
        "after": after,
        "region": query.region,
        "kind": query.kind,
        "nameContains": query.name_contains,
        "scheme": query.accreditation_scheme,
        "group": query.group,
        "today": None if query.today is None else query.today.isoformat(),
        "within": None if query.within is None else list(query.within),
    }
