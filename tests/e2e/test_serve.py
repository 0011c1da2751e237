"""`registry serve` as a real process, queried over HTTP like any client would."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.serving import log_of, start_registry, stop_registry
from tests.processes import alive

pytestmark = pytest.mark.slow

DALIAN_CERTIFICATE = "CCSC23SC0102R2"
CCSC = "91110101940807760M"


def _registry(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    data = tmp_path / "registry-data"
    base, process = start_registry(data)
    try:
        yield base, data, process
    finally:
        stop_registry(process)


def _post(
    base: str, query: str, variables: dict[str, object], key: str | None = None
) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_signing_keys_are_made_when_the_service_starts(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, data, _ = served
    made = [path.name for path in (data / "signing-keys").glob("*.key")]  # before any QR

    published = httpx.get(f"{base}/.well-known/registry-keys.json", timeout=10).json()

    assert len(made) == 1
    assert [key["kid"] for key in published["keys"]] == [made[0].removesuffix(".key")[-8:]]


def test_served_registry_answers_a_seeded_lookup(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, _, _ = served
    body = _post(
        base,
        "query($n: String!) { certificate(number: $n) { number stars issuer { uscc } } }",
        {"n": DALIAN_CERTIFICATE},
    )
    expected = {"number": DALIAN_CERTIFICATE, "stars": 5, "issuer": {"uscc": CCSC}}
    assert body == {"data": {"certificate": expected}}


def test_a_key_made_by_the_cli_beside_the_server_authorises_a_write(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, data, _ = served
    created = _registry(
        "keys", "create", "--role", "CERTIFICATION_BODY", "--institution", CCSC, data=data
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    body = _post(
        base,
        "mutation($n: String!, $r: String!) { changeCertificateStatus(input: "
        "[{number: $n, status: SUSPENDED, reason: $r}]) { __typename "
        "... on ChangeCertificateStatusSuccess { certificates { status } } } }",
        {"n": DALIAN_CERTIFICATE, "r": "监督审核发现问题"},
        key,
    )
    assert body["data"] == {
        "changeCertificateStatus": {
            "__typename": "ChangeCertificateStatusSuccess",
            "certificates": [{"status": "SUSPENDED"}],
        }
    }


def test_stopping_the_service_stops_its_database(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    _, data, process = served
    pid = int((data / "falkordb.pid").read_text())
    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(pid):
        assert time.monotonic() < deadline, "the database server outlived the service"
        time.sleep(0.1)


def test_a_sigkilled_service_leaves_no_database_behind_and_restarts_with_its_data(
    tmp_path: Path,
) -> None:
    data = tmp_path / "registry-data"
    base, process = start_registry(data, REGISTRY_APPENDFSYNC="always")
    try:
        created = _registry("keys", "create", "--role", "ADMIN", data=data)
        key = created.stdout.strip().splitlines()[-1]
        body = _post(
            base,
            'mutation { upsertOrganizations(input: [{uscc: "91210200MA0QCK1X5R", '
            'name: "大连新材料有限公司", region: "210200"}]) { __typename } }',
            {},
            key,
        )
        assert body["data"] == {"upsertOrganizations": {"__typename": "UpsertOrganizationsSuccess"}}
        database_pid = int((data / "falkordb.pid").read_text())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while alive(database_pid):
            assert time.monotonic() < deadline, "an orphaned database server kept running"
            time.sleep(0.1)
    finally:
        stop_registry(process)
    base, process = start_registry(data)
    try:
        body = _post(base, '{ organization(uscc: "91210200MA0QCK1X5R") { name } }', {})
        assert body == {"data": {"organization": {"name": "大连新材料有限公司"}}}
    finally:
        stop_registry(process)


def test_a_freshly_seeded_registry_ranks_by_credit(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, _, _ = served
    body = _post(
        base, '{ ranking(region: "210000", first: 5) { edges { rank score node { uscc } } } }', {}
    )
    edges = body["data"]["ranking"]["edges"]  # type: ignore[index]
    assert edges, "the seeded registry should rank its Liaoning institutions"
    scores = [edge["score"] for edge in edges]
    assert scores == sorted(scores, reverse=True)
    assert edges[0]["rank"] == 1


def test_the_served_log_is_json_with_request_ids(
    served: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, data, process = served
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": "{ nothing }"},
        headers={"X-Request-ID": "e2e-log-check"},
        timeout=10,
    )
    stop_registry(process)

    lines = [json.loads(line) for line in log_of(data).read_text().splitlines() if line]
    assert answer.json()["errors"][0]["extensions"]["requestId"] == "e2e-log-check"
    access = [line for line in lines if line.get("requestId") == "e2e-log-check"]
    assert access
    assert access[0]["route"] == "/graphql"
    assert access[0]["status"] == 200
