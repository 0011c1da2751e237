"""The GraphQL schema is a contract: it changes only on purpose, and the names other tools and
clients rely on (issue 2, "Names other tools and clients will rely on") stay."""

from __future__ import annotations

import warnings
from pathlib import Path

import graphql
import pytest

from registry.resolvers.root import build_schema
from registry.settings import Settings

SNAPSHOT = Path(__file__).with_name("schema.graphql")
UPDATE = "registry export-schema --output tests/api/schema.graphql"


@pytest.fixture(scope="module")
def sdl() -> str:
    return str(build_schema(Settings(env="test")))


@pytest.fixture(scope="module")
def schema(sdl: str) -> graphql.GraphQLSchema:
    return graphql.build_schema(sdl)


def fields(schema: graphql.GraphQLSchema, type_name: str) -> set[str]:
    named = schema.get_type(type_name)
    assert isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInputObjectType), type_name
    return set(named.fields)


def test_schema_matches_the_committed_snapshot(sdl: str) -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8")

    assert sdl.rstrip("\n") == committed.rstrip("\n"), (
        f"the GraphQL schema changed; if that is intended, run `{UPDATE}` and commit the result"
    )


def test_query_has_the_promised_entry_points(schema: graphql.GraphQLSchema) -> None:
    query = schema.query_type
    assert query is not None
    arguments = {name: set(field.args) for name, field in query.fields.items()}

    assert arguments["institution"] == {"uscc", "asOf", "knownAt"}
    assert arguments["institutions"] == {"filter", "first", "after"}
    assert arguments["organization"] == {"uscc"}
    assert arguments["certificate"] == {"number", "asOf", "knownAt"}
    assert arguments["accreditation"] == {"number", "asOf", "knownAt"}
    assert arguments["verifyCertificate"] == {"number", "holderName", "asOf"}
    assert arguments["certificates"] == {"filter", "first", "after"}
    assert arguments["region"] == {"code"}
    assert arguments["changes"] == {"first", "after", "entities", "regions"}
    assert str(query.fields["institution"].type) == "Institution"
    assert str(query.fields["certificate"].type) == "Certificate"
    assert str(query.fields["institutions"].type) == "InstitutionConnection!"
    assert str(query.fields["certificates"].args["filter"].type) == "CertificateFilter"
    assert str(query.fields["institutions"].args["filter"].type) == "InstitutionFilter"


def test_filters_have_the_promised_fields(schema: graphql.GraphQLSchema) -> None:
    assert fields(schema, "InstitutionFilter") >= {
        "region",
        "kind",
        "nameContains",
        "accreditationScheme",
    }
    assert fields(schema, "CertificateFilter") >= {
        "holder",
        "issuer",
        "status",
        "standard",
        "family",
        "region",
    }


def test_types_have_the_promised_fields(schema: graphql.GraphQLSchema) -> None:
    assert fields(schema, "Institution") >= {
        "uscc",
        "name",
        "kinds",
        "region",
        "group",
        "members",
        "accreditations",
        "issuedCertificates",
    }
    assert fields(schema, "Accreditation") >= {
        "number",
        "scheme",
        "scope",
        "validFrom",
        "validUntil",
        "status",
    }
    assert fields(schema, "Certificate") >= {
        "number",
        "family",
        "standard",
        "scope",
        "stars",
        "issuedOn",
        "expiresOn",
        "status",
        "statusReason",
        "issuer",
        "holder",
        "history",
    }
    assert fields(schema, "StatusChange") >= {"status", "effectiveOn", "recordedAt", "reason"}
    assert fields(schema, "Region") >= {"code", "name", "statistics"}
    assert fields(schema, "RegionStatistics") >= {
        "institutions",
        "validCertificates",
        "certifiedOrganizations",
    }
    assert fields(schema, "Institution") >= {"issuedCertificates"}


@pytest.mark.parametrize(
    "connection", ["InstitutionConnection", "CertificateConnection", "ChangeConnection"]
)
def test_connections_are_relay_shaped(schema: graphql.GraphQLSchema, connection: str) -> None:
    assert fields(schema, connection) >= {"edges", "pageInfo", "totalCount"}
    edge = connection.removesuffix("Connection") + "Edge"
    assert fields(schema, edge) >= {"cursor", "node"}
    assert fields(schema, "PageInfo") >= {"hasNextPage", "endCursor"}


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        ("CertificateStatus", {"VALID", "SUSPENDED", "WITHDRAWN", "CANCELLED", "EXPIRED"}),
        ("CertificateFamily", {"SERVICE", "PRODUCT", "MANAGEMENT_SYSTEM"}),
    ],
)
def test_enums_have_the_promised_values(
    schema: graphql.GraphQLSchema, enum: str, values: set[str]
) -> None:
    named = schema.get_type(enum)
    assert isinstance(named, graphql.GraphQLEnumType)
    assert set(named.values) == values


@pytest.mark.parametrize(
    ("mutation", "row"),
    [
        ("upsertInstitutions", "InstitutionInput"),
        ("upsertOrganizations", "OrganizationInput"),
        ("upsertAccreditations", "AccreditationInput"),
        ("issueCertificates", "CertificateInput"),
        ("changeCertificateStatus", "CertificateStatusChangeInput"),
    ],
)
def test_mutations_take_a_batch_and_answer_with_a_union(
    schema: graphql.GraphQLSchema, mutation: str, row: str
) -> None:
    assert schema.mutation_type is not None
    field = schema.mutation_type.fields[mutation]

    assert str(field.args["input"].type) == f"[{row}!]!"
    union = graphql.get_named_type(field.type)
    assert isinstance(union, graphql.GraphQLUnionType)
    members = {member.name for member in union.types}
    success = mutation[0].upper() + mutation[1:] + "Success"
    assert members == {success, "InvalidInput", "NotAuthorized", "NotFound", "Conflict"}
    for error in members - {success}:
        assert fields(schema, error) >= {"code", "message", "field"}


def test_building_the_schema_warns_about_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_schema(Settings(env="test"))

    assert [str(w.message) for w in caught] == []
