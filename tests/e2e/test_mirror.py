"""`registry mirror` against `registry serve`, both real processes: the mirror is killed with
SIGKILL while partners write through the API, restarted, and its replica then equals the
registry (count and content digest per entity)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from registry.cli.mirror import REPLICA, Mirror
from registry.operations.snapshots import SNAPSHOT_ENTITIES, content_digest
from tests.e2e.certificates import new_certificates

pytestmark = pytest.mark.slow

ISSUE = """mutation($input: [CertificateInput!]!) { issueCertificates(input: $input) {
  __typename ... on IssueCertificatesSuccess { receipt { lastSeq } } } }"""
SUSPEND = """mutation($input: [CertificateStatusChangeInput!]!) {
  changeCertificateStatus(input: $input) { __typename } }"""
BATCH = 40


def _command(base: str, key: str, replica: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "registry.cli",
        "mirror",
        "--from",
        base,
        "--key",
        key,
        "--into",
        str(replica),
        *extra,
    ]


def _mirror(base: str, key: str, replica: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`registry mirror` as a process; what it prints goes to a log beside the replica."""
    replica.mkdir(parents=True, exist_ok=True)
    with (replica.parent / "mirror.log").open("ab") as log:
        return subprocess.Popen(
            _command(base, key, replica, *extra), stdout=log, stderr=subprocess.STDOUT
        )


def _write(base: str, key: str, batch: int) -> None:
    """One batch of certificates, and a suspension of the batch before it."""
    rows = new_certificates(f"MIRROR{batch:03d}", BATCH)
    headers = {"Authorization": f"Bearer {key}"}
    issued = httpx.post(
        f"{base}/graphql", json={"query": ISSUE, "variables": {"input": rows}}, headers=headers
    ).json()
    assert issued["data"]["issueCertificates"]["__typename"] == "IssueCertificatesSuccess", issued
    if batch:
        suspend = [
            {
                "number": f"MIRROR{batch - 1:03d}N0000",
                "status": "SUSPENDED",
                "reason": "监督审核不合格",
            }
        ]
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": SUSPEND, "variables": {"input": suspend}},
            headers=headers,
        ).json()
        assert answer["data"]["changeCertificateStatus"]["__typename"].endswith("Success")


def _cursor(replica: Path) -> int | None:
    try:
        with sqlite3.connect(replica / REPLICA) as db:
            row = db.execute("SELECT value FROM state WHERE name = 'cursor'").fetchone()
    except sqlite3.OperationalError:  # not created yet
        return None
    return None if row is None else int(row[0])


def _head(base: str, key: str) -> int:
    response = httpx.get(f"{base}/export/Region.ndjson", headers={"Authorization": f"Bearer {key}"})
    return int(response.headers["x-registry-as-of"])


def _source(base: str, key: str, as_of: int) -> dict[str, tuple[int, str]]:
    """Each entity's count and digest, straight from the registry's snapshot at ``as_of``."""
    found = {}
    for entity in SNAPSHOT_ENTITIES:
        response = httpx.get(
            f"{base}/export/{entity}.ndjson?asOf={as_of}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        lines = [line + b"\n" for line in response.content.splitlines()]
        found[entity] = (len(lines), content_digest(lines))
    return found


def test_a_killed_mirror_resumes_and_equals_the_registry(
    served_with_keys: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, keys = served_with_keys
    replica = tmp_path / "replica"
    seeded = _source(base, keys["PARTNER"], _head(base, keys["PARTNER"]))["Certificate"][0]

    first = _mirror(base, keys["PARTNER"], replica, "--poll", "0.1")
    for batch in range(6):  # the mirror snapshots and follows while these land
        _write(base, keys["ADMIN"], batch)
    deadline = time.monotonic() + 30
    while _cursor(replica) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = _cursor(replica)
    for batch in range(6, 12):  # written while no mirror runs
        _write(base, keys["ADMIN"], batch)

    second = _mirror(base, keys["PARTNER"], replica, "--poll", "0.1")
    try:
        for batch in range(12, 18):  # and while the restarted one runs
            _write(base, keys["ADMIN"], batch)
        head = _head(base, keys["PARTNER"])
        deadline = time.monotonic() + 60
        while _cursor(replica) != head and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)

    assert killed_at is not None
    assert killed_at < head
    assert _cursor(replica) == head
    mirror = Mirror(base, keys["PARTNER"], replica)
    try:
        local = {s.entity: (s.count, s.sha256) for s in mirror.summary()}
    finally:
        mirror.close()
    assert local == _source(base, keys["PARTNER"], head)
    assert local["Certificate"][0] == seeded + 18 * BATCH
    verified = subprocess.run(
        _command(base, keys["PARTNER"], replica, "--verify-only"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "DIFFERENT" not in verified.stdout
