"""QR codes hold a link to the verdict page: a real decoder reads the served image, and the
link it finds opens the page and still carries the signed token for offline checks."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image

from graph.cypher_store import CypherStore
from registry.app import create_app
from registry.http.trust_routes import certificate_token
from registry.settings import ConfigurationError, Settings, load_settings
from registry.trust.qr import token_from_scan, verify_link
from registry.trust.signing_keys import open_keyring
from registry.trust.tokens import read_token
from tests.api.conftest import GraphQLClient
from tests.conftest import SECRET, TODAY

DALIAN_CERTIFICATE = "CCSC23SC0102R2"


@pytest.fixture(autouse=True)
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "signing-keys"
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS_DIR", str(directory))
    return directory


def _decoded(png: bytes) -> str:
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(png)))
    assert found is not None, "no QR code in the image"
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return str(found.text)


def _client(store: CypherStore, base_url: str, **settings: object) -> httpx.AsyncClient:
    app = create_app(
        Settings(env="test", secret_key=SECRET.decode(), load_seeds_when_empty=False, **settings),  # type: ignore[arg-type]
        store,
        today=lambda: TODAY,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def test_the_png_code_decodes_to_a_link_that_opens_the_verdict_page(
    reader: GraphQLClient,
) -> None:
    image = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")
    link = _decoded(image.content)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "registry.test")  # the served address
    assert parts.path.startswith("/v/QR1%3A") or parts.path.startswith("/v/QR1:")
    page = await reader.http.get(link)
    assert page.status_code == 200
    assert DALIAN_CERTIFICATE in page.text
    assert 'id="signature"' in page.text
    assert "SIGNATURE VALID" in page.text
    assert "SIGNATURE NOT VALID" not in page.text
    assert '<a href="../verify">' in page.text  # "check another" leads to the form
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_an_offline_verifier_reads_the_token_out_of_the_link(
    reader: GraphQLClient, keys_dir: Path
) -> None:
    image = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")
    link = _decoded(image.content)
    token = token_from_scan(link)
    keyring = open_keyring(keys_dir)
    assert token == await certificate_token(reader.store, DALIAN_CERTIFICATE, keyring)
    claims = read_token(token, keyring.public_keys())  # no network: the published keys only
    assert claims.number == DALIAN_CERTIFICATE
    query = "query($t: String!) { verifyToken(token: $t) { signatureValid claims { number } } }"
    for scanned in (token, link):
        body = await reader(query, {"t": scanned})
        assert body["data"]["verifyToken"] == {
            "signatureValid": True,
            "claims": {"number": DALIAN_CERTIFICATE},
        }


async def test_the_link_uses_the_configured_public_url(
    shared_seeded_store: CypherStore,
) -> None:
    base = "https://verify.example.cn/registry"
    async with _client(shared_seeded_store, "http://internal:8000", public_url=base + "/") as http:
        image = await http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")
    assert _decoded(image.content).startswith(base + "/v/QR1")


async def test_a_host_header_never_reaches_the_code(shared_seeded_store: CypherStore) -> None:
    """Anyone can send a Host header; the printed code must not carry their address."""
    async with _client(shared_seeded_store, "http://10.0.0.7:8000") as http:
        image = await http.get(
            f"/certificates/{DALIAN_CERTIFICATE}/qr.png",
            headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
        )
    link = _decoded(image.content)
    assert "attacker" not in link
    assert link.startswith("http://10.0.0.7:8000/v/QR1")


def test_a_public_url_must_be_a_plain_http_address() -> None:
    for wrong in ("ftp://x.example", "registry.example", "https://x.example/?a=1", "https://"):
        with pytest.raises(ConfigurationError, match="REGISTRY_PUBLIC_URL"):
            load_settings(public_url=wrong)
    assert load_settings(public_url="https://x.example/").public_url == "https://x.example"


async def test_the_printable_svg_code_shows_the_number_under_it(reader: GraphQLClient) -> None:
    response = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.svg")
    assert response.status_code == 200
    assert f'class="number">{DALIAN_CERTIFICATE}</text></svg>' in response.text


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "QR1:%%%",
        "QR1:" + "A" * 2000,
        "QR1:AB%2F..%2F..%2Fverify",
    ],
)
async def test_a_link_without_a_registry_token_is_a_clear_400_page(
    reader: GraphQLClient, token: str
) -> None:
    response = await reader.http.get("/v/" + token)
    assert response.status_code == 400
    assert "SIGNATURE NOT VALID" in response.text
    assert 'action="../verify"' in response.text  # the form still leads to a lookup
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_a_forged_token_in_a_link_is_refused(reader: GraphQLClient) -> None:
    image = await reader.http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")
    token = token_from_scan(_decoded(image.content))
    # Change one character of the signed part: the signature no longer matches.
    forged = token[:-3] + ("0" if token[-3] != "0" else "1") + token[-2:]
    response = await reader.http.get(verify_link("http://registry.test", forged))
    assert response.status_code == 400
    assert "SIGNATURE NOT VALID" in response.text
    assert DALIAN_CERTIFICATE not in response.text


def test_links_survive_every_base45_character() -> None:
    token = "QR1:0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:/../."
    link = verify_link("https://x.example/r/", token)
    path = urlsplit(link).path
    assert path.count("/") == 3  # /r/v/<one segment>
    assert token_from_scan(link) == token
    assert token_from_scan(token) == token


async def test_a_link_spends_the_clients_public_lookup_allowance(
    shared_seeded_store: CypherStore,
) -> None:
    async with _client(
        shared_seeded_store, "http://10.0.0.7:8000", public_lookups_per_minute=2
    ) as http:
        image = await http.get(f"/certificates/{DALIAN_CERTIFICATE}/qr.png")  # one lookup
        link = _decoded(image.content)
        assert (await http.get(link)).status_code == 200  # two
        refused = await http.get(link)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert DALIAN_CERTIFICATE not in refused.text
