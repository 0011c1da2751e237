"""GraphQL documents and input rows shared by the API tests, written as a client would."""

from __future__ import annotations

import base64
import json
from typing import Any

import orjson

from graph.cypher_store import CypherStore
from registry.domain.ranking import RankState
from registry.domain.uscc import make_uscc
from registry.domain.vocabulary import Role
from registry.schema.ranking import RankCursor
from tests.api.conftest import CCSC, CNAS, GraphQLClient
from tests.conftest import SECRET, TODAY

__all__ = [
    "CCSC",
    "CNAS",
    "CQC",
    "DALIAN_GROUP",
    "DALIAN_PRODUCT_INSTITUTE",
    "ERROR_FIELDS",
    "MUTATIONS",
    "YUEZHI",
    "accreditation_change_row",
    "accreditation_row",
    "assessment_row",
    "certificate_row",
    "error_code",
    "feed_seqs",
    "institution_row",
    "institution_status_row",
    "mutate",
    "new_uscc",
    "organization_row",
    "ranking_cursor_with",
    "status_change_row",
]

CQC = "121101064193791361"  # 中国质量认证中心
YUEZHI = "91440106732910130L"  # 广东粤质认证 (an invented certification body)

DALIAN_GROUP = "91210204768274391C"
DALIAN_PRODUCT_INSTITUTE = "12210211760664248H"  # holds CCSC's five-star service certificates

ERROR_FIELDS = """
    ... on MutationError { code message field problems { code message field } }
"""

_CERTIFICATE = """
    number family standard scope stars issuedOn expiresOn status statusReason
    issuer { uscc name } holder { uscc name }
    history { status effectiveOn recordedAt reason }
"""
_RECEIPT = "receipt { written firstSeq lastSeq }"

MUTATIONS: dict[str, str] = {
    "upsertInstitutions": f"""
        mutation Upsert($input: [InstitutionInput!]!) {{
          upsertInstitutions(input: $input) {{
            __typename
            ... on UpsertInstitutionsSuccess {{
              institutions {{ uscc name kinds region {{ code }} group {{ uscc }} version }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
    "upsertOrganizations": f"""
        mutation Upsert($input: [OrganizationInput!]!) {{
          upsertOrganizations(input: $input) {{
            __typename
            ... on UpsertOrganizationsSuccess {{
              organizations {{ uscc name region {{ code }} version }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
    "upsertAccreditations": f"""
        mutation Upsert($input: [AccreditationInput!]!) {{
          upsertAccreditations(input: $input) {{
            __typename
            ... on UpsertAccreditationsSuccess {{
              accreditations {{
                number scheme scope validFrom validUntil status
                body {{ uscc }} holder {{ uscc }}
              }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
    "issueCertificates": f"""
        mutation Issue($input: [CertificateInput!]!) {{
          issueCertificates(input: $input) {{
            __typename
            ... on IssueCertificatesSuccess {{ certificates {{ {_CERTIFICATE} }} {_RECEIPT} }}
            {ERROR_FIELDS}
          }}
        }}""",
    "changeCertificateStatus": f"""
        mutation Change($input: [CertificateStatusChangeInput!]!) {{
          changeCertificateStatus(input: $input) {{
            __typename
            ... on ChangeCertificateStatusSuccess {{ certificates {{ {_CERTIFICATE} }} {_RECEIPT} }}
            {ERROR_FIELDS}
          }}
        }}""",
    "changeAccreditationStatus": f"""
        mutation Change($input: [AccreditationStatusChangeInput!]!) {{
          changeAccreditationStatus(input: $input) {{
            __typename
            ... on ChangeAccreditationStatusSuccess {{
              accreditations {{
                number status statusSince scope
                history {{ status effectiveOn reason scheduled scopeAdded scopeRemoved }}
              }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
    "recordServiceAssessments": f"""
        mutation Record($input: [ServiceAssessmentInput!]!) {{
          recordServiceAssessments(input: $input) {{
            __typename
            ... on RecordServiceAssessmentsSuccess {{
              assessments {{
                certificate scheme total starsFromScore cpsq cpsqTarget version
                elements {{ element score weight assessedOn evidence }}
                stage1 {{ heldOn personDays }} stage2 {{ heldOn personDays }}
              }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
    "changeInstitutionStatus": f"""
        mutation Change($input: [InstitutionStatusChangeInput!]!) {{
          changeInstitutionStatus(input: $input) {{
            __typename
            ... on ChangeInstitutionStatusSuccess {{
              institutions {{
                uscc status statusSince history {{ status effectiveOn reason scheduled }}
              }}
              {_RECEIPT}
            }}
            {ERROR_FIELDS}
          }}
        }}""",
}


async def mutate(
    client: GraphQLClient, mutation: str, rows: list[dict[str, Any]], **caller: Any
) -> dict[str, Any]:
    """Run one mutation over ``rows`` and return its payload (a member of the union)."""
    body = await client(MUTATIONS[mutation], {"input": rows}, **caller)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    return payload


def new_uscc(serial: int, *, region: str = "210204", authority: str = "9") -> str:
    """A well-formed USCC that the seed does not use (seed serials are far from 77_000_000)."""
    return make_uscc(authority=authority, kind="1", region_code=region, serial=77_000_000 + serial)


def institution_row(uscc: str, **fields: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": f"大连新建检测技术有限公司{uscc[-4:]}",
        "kinds": ["INSPECTION_TESTING"],
        "region": "210204",
        **fields,
    }


def organization_row(uscc: str, **fields: Any) -> dict[str, Any]:
    return {"uscc": uscc, "name": f"大连新港制造有限公司{uscc[-4:]}", "region": "210213", **fields}


# CNAS's product-certification accreditation of CQC, as seeded.
CQC_PRODUCT_GRANT = {
    "number": "CNAS-C001-P",
    "scheme": "CNAS_PRODUCT_17065",
    "body": CNAS,
    "holder": CQC,
    "scope": ["CNCA-C07-01:2017", "CNCA-C10-01:2014", "GB/T 33761-2017", "GB/T 19630-2019"],
    "validFrom": "2006-07-01",
    "validUntil": "2029-06-30",
    "status": "VALID",
}


def accreditation_row(number: str, holder: str, **fields: Any) -> dict[str, Any]:
    return {
        "number": number,
        "scheme": "CNAS_LAB_17025",
        "body": CNAS,
        "holder": holder,
        "scope": ["GB/T 2951.11-2008"],
        "validFrom": "2026-11-02",  # reported within 30 days of its start (TODAY 2026-11-22)
        "validUntil": "2032-01-04",
        **fields,
    }


def certificate_row(number: str, **fields: Any) -> dict[str, Any]:
    """A valid management-system certificate from CCSC to a Dalian institute."""
    return {
        "number": number,
        "family": "MANAGEMENT_SYSTEM",
        "standard": "GB/T 19001-2016/ISO 9001:2015",
        "scope": "检验检测服务",
        "issuedOn": "2026-11-02",  # reported within 30 days of its issue (TODAY 2026-11-22)
        "expiresOn": "2029-11-01",
        "issuer": CCSC,
        "holder": DALIAN_PRODUCT_INSTITUTE,
        **fields,
    }


def assessment_row(
    number: str, scores: tuple[float, float, float, float] = (95, 92, 90, 91), **fields: Any
) -> dict[str, Any]:
    """An assessment of the four elements weighted 0.4/0.2/0.2/0.2 (the default scores total
    92.6: five stars under the assumed bands), stage 1 in October 2020, stage 2 in November."""
    parts = zip(
        ("AUDIT", "FOOTPRINT", "OPEN_TEST", "MYSTERY_CUSTOMER"),
        scores,
        (0.4, 0.2, 0.2, 0.2),
        strict=True,
    )
    return {
        "certificate": number,
        "elements": [
            {
                "element": element,
                "score": score,
                "weight": weight,
                "assessedOn": "2020-11-02",
                "evidence": f"{element.lower()} evidence",
            }
            for element, score, weight in parts
        ],
        "cpsq": 88.0,
        "cpsqMeasuredOn": "2020-10-20",
        "stage1On": "2020-10-12",
        "stage1PersonDays": 3,
        "stage2On": "2020-11-09",
        "stage2PersonDays": 4,
        **fields,
    }


def status_change_row(number: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "number": number,
        "status": status,
        "reason": "监督审核发现不符合项 (nonconformity found at surveillance audit)",
        "effectiveOn": TODAY.isoformat(),
        **fields,
    }


def accreditation_change_row(number: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "number": number,
        "status": status,
        "reason": "认可监督评审发现不符合 (nonconformity found at a surveillance assessment)",
        "effectiveOn": TODAY.isoformat(),
        **fields,
    }


def institution_status_row(uscc: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "status": status,
        "reason": "责令停业整顿 (ordered to suspend operations and rectify)",
        "effectiveOn": TODAY.isoformat(),
        **fields,
    }


def error_code(body: dict[str, Any]) -> str:
    """The stable code of the (single) GraphQL error in a response body."""
    errors = body.get("errors")
    assert errors, f"expected an error, got {body}"
    code: str = errors[0]["extensions"]["code"]
    return code


async def feed_seqs(store: CypherStore, *, after: int, role: Role) -> list[int]:
    """The seqs the change feed shows ``role`` after ``after``: the whole log but API keys,
    and for a partner but complaints and credit events no longer public on TODAY (past
    their publicity period, or repaired)."""
    hidden = {"ApiKey"} | ({"Complaint"} if role is Role.PARTNER else set())
    changes = await store.get_changes(after=after, limit=1_000_000)
    lapsed = {
        c.seq
        for c in changes
        if role is Role.PARTNER and c.entity == "CreditEvent" and _no_longer_public(c.data)
    }
    return [c.seq for c in changes if c.entity not in hidden and c.seq not in lapsed]


def _no_longer_public(data: str) -> bool:
    doc = orjson.loads(data)
    day = TODAY.isoformat()
    until, repaired = doc.get("publicUntil"), doc.get("repairedOn")
    return (until is not None and until < day) or (repaired is not None and repaired <= day)


def ranking_cursor_with(cursor: str, field: int, value: object, *, signed: bool) -> str:
    """A ranking cursor with one field of its body changed (1 the pinned seq, 2 the pin's
    time, 5 the sort key, 6 the position, 7 the rank): signed as the registry signs, with
    the tests' secret, or keeping the old signature, as a client's forgery would."""
    body, _, mac = cursor.partition(".")
    fields = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    fields[field] = value
    if not signed:
        text = json.dumps(fields, ensure_ascii=False)  # any int, as a client could send
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=") + "." + mac
    _, as_of, pinned_at, digest, uscc, key, position, rank, score = fields
    state = RankState(position, rank, score)
    return RankCursor(as_of, pinned_at, digest, uscc, key, state).encode(SECRET)
