"""Crash safety: SIGKILL the API process and its database together in the middle of a bulk
sync (the embedded store fsyncing every write, ``appendfsync always``). After a restart every
acknowledged batch is there, no batch is there in part, and the change chain verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

from registry.domain.vocabulary import Role
from tests.e2e.certificates import new_certificates
from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry
from tests.processes import alive

pytestmark = pytest.mark.slow

ISSUE = """mutation($input: [CertificateInput!]!) { issueCertificates(input: $input) {
  __typename ... on IssueCertificatesSuccess { receipt { firstSeq lastSeq } } } }"""
BATCH = 250
ACKNOWLEDGED_BEFORE_KILL = 6


class _Writer(threading.Thread):
    """Sends batches until the service stops answering; remembers which were acknowledged
    and which was in flight when it died."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(daemon=True)
        self.base, self.key = base, key
        self.acknowledged: list[int] = []
        self.sent = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        while True:
            self.sent += 1
            payload = {
                "query": ISSUE,
                "variables": {"input": new_certificates(f"CRASH{self.sent:03d}", BATCH)},
            }
            try:
                answer = httpx.post(
                    f"{self.base}/graphql", json=payload, headers=headers, timeout=30
                )
            except httpx.TransportError:
                return
            body = answer.json()
            assert body["data"]["issueCertificates"]["__typename"] == "IssueCertificatesSuccess"
            self.acknowledged.append(self.sent)


def _certificates_by_batch(base: str, key: str) -> dict[int, int]:
    response = httpx.get(
        f"{base}/export/Certificate.ndjson",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    counts: dict[int, int] = {}
    for line in response.content.splitlines():
        number = orjson.loads(line)["number"]
        if number.startswith("CRASH"):
            batch = int(number[5:8])
            counts[batch] = counts.get(batch, 0) + 1
    return counts


# The kill lands right after an acknowledgement, or a while into the next batch's write.
@pytest.mark.parametrize("delay", [0.0, 0.2], ids=["just-acknowledged", "into-the-next-batch"])
def test_sigkill_mid_sync_keeps_every_acknowledged_batch_whole(
    tmp_path: Path, delay: float
) -> None:
    data = tmp_path / "registry-data"
    base, process = start_registry(data, REGISTRY_APPENDFSYNC="always")
    keys = {}
    for role in (Role.ADMIN, Role.PARTNER):
        created = _registry("keys", "create", "--role", role.value, data=data)
        keys[role] = created.stdout.strip().splitlines()[-1]
    database_pid = int((data / "falkordb.pid").read_text())
    writer = _Writer(base, keys[Role.ADMIN])
    try:
        writer.start()
        deadline = time.monotonic() + 120
        while len(writer.acknowledged) < ACKNOWLEDGED_BEFORE_KILL:
            assert time.monotonic() < deadline, "the writes did not get going"
            time.sleep(0.01)
        time.sleep(delay)
        os.kill(database_pid, signal.SIGKILL)  # both at once
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        writer.join(timeout=60)
        while alive(database_pid):
            time.sleep(0.05)
    finally:
        stop_registry(process)

    base, process = start_registry(data, REGISTRY_APPENDFSYNC="always")
    try:
        present = _certificates_by_batch(base, keys[Role.PARTNER])
        audit = subprocess.run(
            [sys.executable, "-m", "registry.cli", "audit", "verify", "--data", str(data)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        stop_registry(process)

    acknowledged = set(writer.acknowledged)
    print(
        f"\nacknowledged {len(acknowledged)} batches of {BATCH}; batch {writer.sent} in flight "
        f"at the kill: {present.get(writer.sent, 0)} of {BATCH} present; audit: "
        f"{audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr}"
    )
    assert acknowledged
    assert all(present.get(batch) == BATCH for batch in acknowledged), present
    assert all(count == BATCH for count in present.values()), "a batch is partly present"
    assert set(present) <= acknowledged | {writer.sent}
    assert audit.returncode == 0, audit.stdout + audit.stderr
