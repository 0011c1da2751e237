"""Certificate numbers, USCCs and accreditation numbers typed full width, in lower case or
with spaces around find what they name, at every edge that accepts one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import CCSC, GraphQLClient
from tests.input_methods import full_width

DALIAN_CERTIFICATE = "CCSC23SC0102R2"
DALIAN_PRODUCT_INSTITUTE = "12210211760664248H"  # holds the Dalian certificate
CCSC_ACCREDITATION = "CNAS-C007-S"  # CNAS accredited CCSC (seeds/accreditations.json)
BOILER_INSTITUTE = "12210204586216617X"
SPECIAL_EQUIPMENT = "12210204501548234X"
AS_TYPED: list[Callable[[str], str]] = [
    full_width,
    str.lower,
    lambda number: f" \u3000{number.lower()} ",
]


@pytest.fixture(autouse=True)
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The QR route signs with keys in a directory of the test's own."""
    directory = tmp_path / "signing-keys"
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS_DIR", str(directory))
    return directory


@pytest.mark.parametrize("typed", AS_TYPED)
async def test_verify_certificate_finds_a_number_as_typed(
    reader: GraphQLClient, typed: Callable[[str], str]
) -> None:
    query = "query($n: String!) { verifyCertificate(number: $n) { verdict number } }"
    body = await reader(query, {"n": typed(DALIAN_CERTIFICATE)})
    answer = body["data"]["verifyCertificate"]
    assert answer["number"] == DALIAN_CERTIFICATE
    assert answer["verdict"] != "NOT_FOUND"


async def test_the_issues_example_is_found(reader: GraphQLClient) -> None:
    body = await reader('{ verifyCertificate(number: "ＣＣＳＣ23SC0102R2") { number } }')  # noqa: RUF001
    assert body["data"]["verifyCertificate"]["number"] == DALIAN_CERTIFICATE


async def test_lookups_by_key_find_what_was_typed_full_width(reader: GraphQLClient) -> None:
    query = """query($n: String!, $u: String!, $o: String!) {
      certificate(number: $n) { number }
      institution(uscc: $u) { uscc }
      organization(uscc: $o) { uscc } }"""
    variables = {
        "n": full_width(DALIAN_CERTIFICATE),
        "u": full_width(CCSC).lower(),
        "o": f" {full_width(DALIAN_PRODUCT_INSTITUTE)} ",
    }
    body = await reader(query, variables, role=Role.ADMIN)
    assert "errors" not in body, body
    assert body["data"] == {
        "certificate": {"number": DALIAN_CERTIFICATE},
        "institution": {"uscc": CCSC},
        "organization": {"uscc": DALIAN_PRODUCT_INSTITUTE},
    }


async def test_filters_take_usccs_as_typed(reader: GraphQLClient) -> None:
    query = """query($f: CertificateFilter) {
      certificates(filter: $f, first: 100) { edges { node { number } } } }"""
    body = await reader(query, {"f": {"issuer": full_width(CCSC)}}, role=Role.ADMIN)
    numbers = {edge["node"]["number"] for edge in body["data"]["certificates"]["edges"]}
    assert DALIAN_CERTIFICATE in numbers


async def test_a_regulator_connects_usccs_as_typed(reader: GraphQLClient) -> None:
    query = """query($from: String!, $to: String!) {
      connection(from: $from, to: $to) { length } }"""
    variables = {"from": full_width(BOILER_INSTITUTE), "to": SPECIAL_EQUIPMENT.lower()}
    body = await reader(query, variables, role=Role.REGULATOR)
    assert "errors" not in body, body
    assert body["data"]["connection"] is not None


async def test_a_write_stores_the_numbers_in_their_normal_form(api: GraphQLClient) -> None:
    mutation = """mutation($n: String!) { changeCertificateStatus(input:
      [{number: $n, status: SUSPENDED, reason: "监督审核不合格"}]) {
      __typename ... on ChangeCertificateStatusSuccess { certificates { number status } } } }"""
    body = await api(mutation, {"n": full_width(DALIAN_CERTIFICATE)}, role=Role.ADMIN)
    payload = body["data"]["changeCertificateStatus"]
    assert payload["__typename"] == "ChangeCertificateStatusSuccess", payload
    assert payload["certificates"] == [{"number": DALIAN_CERTIFICATE, "status": "SUSPENDED"}]


async def test_an_accreditation_number_as_typed_names_the_stored_one(api: GraphQLClient) -> None:
    query = "query($u: String!) { institution(uscc: $u) { accreditations { number } } }"
    before = await api(query, {"u": CCSC}, role=Role.ADMIN)
    stored = {a["number"] for a in before["data"]["institution"]["accreditations"]}
    assert CCSC_ACCREDITATION in stored
    mutation = """mutation($a: [AccreditationInput!]!) { upsertAccreditations(input: $a) {
      __typename ... on UpsertAccreditationsSuccess { accreditations { number } } } }"""
    row = {
        "number": full_width(CCSC_ACCREDITATION.lower()),
        "scheme": "CNAS_SERVICE_17065",
        "body": "12110105777699279Y".lower(),
        "holder": full_width(CCSC),
        "scope": ["CCSC-SC-JYJC-2017", "GB/T 27922-2011", "GB/T 20647.9-2006"],
        "validFrom": "2016-06-01",
        "validUntil": "2028-05-31",
    }
    body = await api(mutation, {"a": [row]}, role=Role.ADMIN)
    payload = body["data"]["upsertAccreditations"]
    assert payload == {
        "__typename": "UpsertAccreditationsSuccess",
        "accreditations": [{"number": CCSC_ACCREDITATION}],
    }
    after = await api(query, {"u": CCSC}, role=Role.ADMIN)
    assert {a["number"] for a in after["data"]["institution"]["accreditations"]} == stored


async def test_the_verification_page_finds_a_number_typed_full_width(
    reader: GraphQLClient,
) -> None:
    response = await reader.http.get("/verify", params={"number": full_width(DALIAN_CERTIFICATE)})
    assert response.status_code == 200
    assert f"<title>有效 VALID · {DALIAN_CERTIFICATE}" in response.text


async def test_the_qr_route_finds_a_number_typed_full_width(reader: GraphQLClient) -> None:
    path = quote(full_width(DALIAN_CERTIFICATE.lower()))
    response = await reader.http.get(f"/certificates/{path}/qr.svg")
    assert response.status_code == 200
    assert f"QR code of certificate {DALIAN_CERTIFICATE}" in response.text


async def test_the_network_picture_takes_a_uscc_typed_full_width(reader: GraphQLClient) -> None:
    key = await reader.key(Role.REGULATOR)
    response = await reader.http.get(
        f"/institutions/{quote(full_width(BOILER_INSTITUTE))}/network.svg?depth=1",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    assert f"{BOILER_INSTITUTE}, supervision class " in response.text
