"""Signed QR codes, verifyToken and the signed audit checkpoint, through the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.domain.vocabulary import Role
from registry.http.trust_routes import certificate_token
from registry.settings import Settings
from registry.trust.qr import qr_svg, verify_link
from registry.trust.signing_keys import open_keyring, public_keys_from_document
from registry.trust.tokens import Checkpoint, checkpoint_is_valid
from tests.api.conftest import GraphQLClient
from tests.api.operations import (
    certificate_row,
    mutate,
    new_uscc,
    organization_row,
    status_change_row,
)
from tests.conftest import TODAY

DALIAN_CERTIFICATE = "CCSC23SC0102R2"  # valid until 2026-12-14, five stars
VERIFY_TOKEN = """
query($t: String!) {
  verifyToken(token: $t) {
    signatureValid reason keyId mismatches
    claims { keyId number holderUscc holderName issuerUscc standard scopeDigest
             issuedOn expiresOn stars }
    verification { verdict number certificate { status statusReason } }
  }
}
"""
CHECKPOINT = "{ auditCheckpoint { seq rootHash signedAt keyId signature } }"


@pytest.fixture(autouse=True)
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's app keeps its signing keys in a directory of the test's own."""
    directory = tmp_path / "signing-keys"
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS_DIR", str(directory))
    return directory


async def _token(store: CypherStore, number: str, keys_dir: Path) -> str:
    """The token the app serves in the QR code (Ed25519 signatures are deterministic)."""
    token = await certificate_token(store, number, open_keyring(keys_dir))
    assert token is not None
    return token


async def _verify_token(client: GraphQLClient, token: str) -> dict[str, Any]:
    body = await client(VERIFY_TOKEN, {"t": token})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["verifyToken"]
    return result


async def test_a_seeded_certificate_has_its_token_as_an_svg_qr_code(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    response = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert response.content.rstrip().endswith(b"</svg>")
    token = await _token(reader.store, DALIAN_CERTIFICATE, keys_dir)
    title = f"QR code of certificate {DALIAN_CERTIFICATE}"
    link = verify_link("http://registry.test", token)
    assert response.content == qr_svg(link, number=DALIAN_CERTIFICATE, title=title)
    assert "max-age" in response.headers["cache-control"]


async def test_a_seeded_certificate_has_a_png_qr_code(reader: GraphQLClient) -> None:
    response = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    again = await reader.http.get(
        f"/certificates/{DALIAN_CERTIFICATE}/qr.png",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize("image", ["qr.svg", "qr.png"])
async def test_an_unknown_certificate_has_no_qr_code(reader: GraphQLClient, image: str) -> None:
    response = await reader.http.get(f"/certificates/CCSC99SC9999/{image}")
    assert response.status_code == 404


async def test_a_certificate_no_token_can_carry_gets_a_coded_answer_not_a_500(
    api: GraphQLClient,
) -> None:
    """A version 1 token carries dates from 1970 to 2149 and texts of 255 bytes: a
    certificate issued in 1968, or to a holder named in 86 Chinese characters, answered
    its QR image with a bare 500 (twenty-third session's review)."""
    long_name = "大连" + "长" * 84 + "有限公司"
    holder = organization_row(new_uscc(931), name=long_name, region="210211")
    assert (await mutate(api, "upsertOrganizations", [holder], role=Role.ADMIN))[
        "__typename"
    ] == "UpsertOrganizationsSuccess"
    rows = [
        certificate_row(
            "CCSC68Q00001", issuedOn="1968-01-01", expiresOn="1970-12-31", historicalImport=True
        ),
        certificate_row("CCSC26Q99931", holder=holder["uscc"]),
    ]
    issued = await mutate(api, "issueCertificates", rows, role=Role.ADMIN)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    for number in ("CCSC68Q00001", "CCSC26Q99931"):
        for image in ("qr.svg", "qr.png"):
            response = await api.http.get(f"/certificates/{number}/{image}")
            assert response.status_code == 422, (number, image, response.text)
            assert response.json()["errors"][0]["extensions"]["code"] == "NO_QR_TOKEN"


async def test_qr_images_are_public_lookups_and_rate_limited_per_client(
    shared_seeded_store: CypherStore, keys_dir: Path
) -> None:
    settings = Settings(
        env="test",
        load_seeds_when_empty=False,
        public_lookups_per_minute=2,
        signing_keys_dir=keys_dir,
    )
    app = create_app(settings, shared_seeded_store, today=lambda: TODAY)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        answers = [
            (await http.get(f"/certificates/{number}/qr.png")).status_code
            for number in (DALIAN_CERTIFICATE, "CCSC99SC9999", DALIAN_CERTIFICATE)
        ]
        refused = await http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.svg")
    assert answers == [200, 404, 429]
    assert int(refused.headers["retry-after"]) > 0


async def test_the_signing_keys_are_published(reader: GraphQLClient, keys_dir: Path) -> None:
    response = await reader.http.get("/.well-known/registry-keys.json")
    assert response.status_code == 200
    document = response.json()
    (key,) = document["keys"]
    assert key["kid"] == open_keyring(keys_dir).active.key_id
    assert (key["alg"], key["crv"], key["active"]) == ("EdDSA", "Ed25519", True)
    assert set(public_keys_from_document(document)) == {key["kid"]}


async def test_a_token_from_a_qr_code_is_genuine_and_its_certificate_valid(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    token = await _token(reader.store, DALIAN_CERTIFICATE, keys_dir)
    result = await _verify_token(reader, token)
    assert (result["signatureValid"], result["reason"], result["mismatches"]) == (True, None, [])
    assert result["keyId"] == open_keyring(keys_dir).active.key_id
    claims = result["claims"]
    assert claims["number"] == DALIAN_CERTIFICATE
    assert claims["holderName"] == "大连产品质量检验检测研究院"
    assert (claims["issuedOn"], claims["expiresOn"], claims["stars"]) == (
        "2023-12-15",
        "2026-12-14",
        5,
    )
    assert result["verification"]["verdict"] == "VALID"


async def test_a_token_of_a_suspended_certificate_is_genuine_but_not_valid(
    api: GraphQLClient, keys_dir: Path
) -> None:
    token = await _token(api.store, DALIAN_CERTIFICATE, keys_dir)
    suspended = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")],
        role=Role.ADMIN,
    )
    assert suspended["__typename"] == "ChangeCertificateStatusSuccess"
    result = await _verify_token(api, token)
    assert result["signatureValid"] is True
    assert result["reason"] is None
    assert result["verification"]["verdict"] == "NOT_VALID"
    assert result["verification"]["certificate"]["status"] == "SUSPENDED"


async def test_a_token_of_a_certificate_reissued_with_another_scope_is_flagged(
    api: GraphQLClient, keys_dir: Path
) -> None:
    number = "CCSC26Q10971"
    await mutate(api, "issueCertificates", [certificate_row(number)], role=Role.ADMIN)
    token = await _token(api.store, number, keys_dir)
    reissued = certificate_row(number, scope="检验检测服务;计量校准")
    await mutate(api, "issueCertificates", [reissued], role=Role.ADMIN)
    result = await _verify_token(api, token)
    assert result["signatureValid"] is True
    assert (result["reason"], result["mismatches"]) == ("CLAIMS_MISMATCH", ["SCOPE_DIGEST"])
    assert result["verification"]["verdict"] == "VALID"


async def test_a_tampered_token_is_refused_without_a_verdict(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    token = await _token(reader.store, DALIAN_CERTIFICATE, keys_dir)
    middle = len(token) // 2
    tampered = token[:middle] + ("0" if token[middle] != "0" else "1") + token[middle + 1 :]
    result = await _verify_token(reader, tampered)
    assert result["signatureValid"] is False
    assert result["reason"] in {"BAD_SIGNATURE", "MALFORMED"}
    assert (result["claims"], result["verification"]) == (None, None)


async def test_text_that_is_no_token_is_malformed(reader: GraphQLClient) -> None:
    result = await _verify_token(reader, "https://example.com/not-a-token")
    assert (result["signatureValid"], result["reason"]) == (False, "MALFORMED")


async def test_the_audit_checkpoint_is_the_signed_head_of_the_change_log(
    reader: GraphQLClient,
) -> None:
    body = await reader(CHECKPOINT)
    assert "errors" not in body, body
    answer = body["data"]["auditCheckpoint"]
    head = await reader.store.change_head()
    assert (answer["seq"], answer["rootHash"]) == (head.seq, head.hash)
    published = (await reader.http.get("/.well-known/registry-keys.json")).json()
    checkpoint = Checkpoint(
        seq=answer["seq"],
        root_hash=answer["rootHash"],
        signed_at=answer["signedAt"],
        key_id=answer["keyId"],
        signature=answer["signature"],
    )
    assert checkpoint_is_valid(checkpoint, public_keys_from_document(published))


async def test_the_audit_checkpoint_moves_with_every_write(api: GraphQLClient) -> None:
    before = (await api(CHECKPOINT))["data"]["auditCheckpoint"]
    await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")],
        role=Role.ADMIN,
    )
    after = (await api(CHECKPOINT))["data"]["auditCheckpoint"]
    assert after["seq"] > before["seq"]
    assert after["rootHash"] != before["rootHash"]
