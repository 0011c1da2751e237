"""Durable before visible, served for real: the registry's data directory is a small tmpfs,
filled through the API while a reader records every change it is streamed and every signed
checkpoint. The write that does not fit is refused with 503 STORE_UNAVAILABLE and /readyz
says 503; once space is freed the service comes back by itself, and the refused batch, retried
with its idempotency key, applies once. After a restart everything ever served is still
there with the same hash, every acknowledged batch is whole, and a checkpoint signed during
the run verifies.

Mounting needs root (CI runs as root); elsewhere the test is skipped."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.certificates import new_certificates
from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry
from tests.small_disk import crash_database, small_disk, take_all_but, take_the_rest

pytestmark = pytest.mark.slow

DISK_MB = 20
LEFT_FOR_WRITES = 3_000_000
BATCH = 100
ISSUE = """mutation($input: [CertificateInput!]!, $key: String) {
  issueCertificates(input: $input, idempotencyKey: $key) {
    __typename ... on IssueCertificatesSuccess { receipt { firstSeq lastSeq replayed } } } }"""
CHECKPOINT = "{ auditCheckpoint { seq rootHash signedAt keyId signature } }"
# Lots of requests from one client and key, far more than any real client sends.
UNLIMITED = {"REGISTRY_REQUESTS_PER_MINUTE": "1000000"}


@dataclass
class Served:
    """What a reader was served: each change (by seq) and each signed checkpoint."""

    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    served_at: dict[int, float] = field(default_factory=dict)
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)  # answers other than data or 503


class _Reader(threading.Thread):
    """Follows /export/changes.ndjson and asks for auditCheckpoint, over and over, as a
    partner and a public auditor would, until stopped."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(daemon=True)
        self.base, self.key = base, key
        self.served = Served()
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as http:
            while not self.stop.is_set():
                try:
                    self._read_changes(http)
                    self._read_checkpoint(http)
                except httpx.TransportError:
                    pass
                time.sleep(0.05)

    def _read_changes(self, http: httpx.Client) -> None:
        after = max(self.served.changes, default=0)
        headers = {"Authorization": f"Bearer {self.key}"}
        answer = http.get("/export/changes.ndjson", params={"after": after}, headers=headers)
        if answer.status_code != 200:
            if answer.status_code != 503:
                self.served.surprises.append(answer.text)
            return
        for line in answer.content.splitlines():
            change = orjson.loads(line)
            if "error" in change:
                if change["error"]["extensions"]["code"] != "STORE_UNAVAILABLE":
                    self.served.surprises.append(line.decode())
                return
            self.served.changes[change["seq"]] = change
            self.served.served_at[change["seq"]] = time.monotonic()

    def _read_checkpoint(self, http: httpx.Client) -> None:
        answer = http.post("/graphql", json={"query": CHECKPOINT})
        if answer.status_code == 200:
            self.served.checkpoints.append(answer.json()["data"]["auditCheckpoint"])
        elif answer.status_code != 503:
            self.served.surprises.append(answer.text)


def _issue(base: str, key: str, batch: int) -> httpx.Response:
    variables = {"input": new_certificates(f"FILL{batch:03d}", BATCH), "key": f"fill-{batch}"}
    return httpx.post(
        f"{base}/graphql",
        json={"query": ISSUE, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )


def _receipt(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload = answer.json()["data"]["issueCertificates"]
    assert payload["__typename"] == "IssueCertificatesSuccess", payload
    receipt: dict[str, Any] = payload["receipt"]
    return receipt


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _wait_until(check: Any, within: float) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, "not within the time allowed"
        time.sleep(0.2)
    return time.monotonic() - started


def _all_changes(base: str, key: str) -> dict[int, dict[str, Any]]:
    answer = httpx.get(
        f"{base}/export/changes.ndjson", headers={"Authorization": f"Bearer {key}"}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return {c["seq"]: c for c in map(orjson.loads, answer.content.splitlines())}


def test_a_full_disk_refuses_the_write_it_cannot_keep_and_serves_nothing_it_lost(
    tmp_path: Path,
) -> None:
    data = tmp_path / "registry-data"
    with small_disk(data, DISK_MB):
        base, process = start_registry(data, **UNLIMITED)
        reader: _Reader | None = None
        try:
            writer_key, reader_key = (
                _registry("keys", "create", "--role", "ADMIN", data=data)
                .stdout.strip()
                .splitlines()[-1]
                for _ in range(2)
            )
            published = httpx.get(f"{base}/.well-known/registry-keys.json", timeout=10)
            (tmp_path / "registry-keys.json").write_text(published.text)
            reader = _Reader(base, reader_key)
            reader.start()
            ballast = take_all_but(data / "ballast", LEFT_FOR_WRITES)

            acknowledged: dict[int, dict[str, Any]] = {}
            for batch in range(1000):
                answer = _issue(base, writer_key, batch)
                if answer.status_code != 200:
                    refused = batch
                    break
                acknowledged[batch] = _receipt(answer)
            else:
                pytest.fail("the disk never filled up")
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            codes = [e["extensions"]["code"] for e in answer.json()["errors"]]
            assert codes == ["STORE_UNAVAILABLE"]
            assert acknowledged, "the disk filled up before any batch was acknowledged"

            take_the_rest(ballast)  # whatever the server does now, there is no room
            for _ in range(10):
                assert not _ready(base)
                time.sleep(0.3)
            again = _issue(base, writer_key, refused)
            assert again.status_code == 503, again.text
            crash_database(data)  # the machine goes down during the outage

            ballast.unlink()
            recovered_in = _wait_until(lambda: _ready(base), within=60)
            retry_sent_at = time.monotonic()
            retried = _receipt(_issue(base, writer_key, refused))
            replay = _receipt(_issue(base, writer_key, refused))
            assert replay == {**retried, "replayed": True}  # applied once, whatever the retries
            head = max(retried["lastSeq"], *(r["lastSeq"] for r in acknowledged.values()))
            _wait_until(lambda: max(reader.served.changes, default=0) >= head, within=30)
        finally:
            if reader is not None:
                reader.stop.set()
                reader.join(timeout=60)
            stop_registry(process)

        assert reader is not None
        served = reader.served
        assert not served.surprises, served.surprises[:3]
        print(
            f"\n{len(acknowledged)} batches of {BATCH} acknowledged, batch {refused} refused; "
            f"back {recovered_in:.1f} s after space was freed; the retry "
            f"{'was replayed' if retried['replayed'] else 'wrote it'}; "
            f"{len(served.changes)} changes and {len(served.checkpoints)} checkpoints served"
        )

        base, process = start_registry(data, **UNLIMITED)
        try:
            stored = _all_changes(base, writer_key)
        finally:
            stop_registry(process)

        # Everything ever served is still there, unchanged: nothing served was lost, and no
        # seq was reused by another write.
        lost = {s for s, change in served.changes.items() if stored.get(s) != change}
        assert not lost, f"served, then lost or changed: seqs {sorted(lost)[:10]}"
        # A checkpoint may sign an API-key change, which the feed never carries: those are
        # held to the chain by the audit of the last checkpoint below.
        in_feed = [c for c in served.checkpoints if c["seq"] in stored]
        assert in_feed, "no checkpoint signed a change the feed carries"
        for checkpoint in in_feed:
            assert stored[checkpoint["seq"]]["hash"] == checkpoint["rootHash"], checkpoint

        # Every acknowledged batch is whole, and every certificate was issued exactly once.
        issued: dict[str, int] = {}
        for change in stored.values():
            if change["entity"] == "Certificate" and change["key"].startswith("FILL"):
                issued[change["key"]] = issued.get(change["key"], 0) + 1
        expected = {
            c["number"]
            for batch in [*acknowledged, refused]
            for c in new_certificates(f"FILL{batch:03d}", BATCH)
        }
        assert set(issued) == expected
        assert set(issued.values()) == {1}

        # Nothing of the refused batch was served before its retry was acknowledged, unless
        # the refused request had in fact made it durable (its retry is then a replay).
        first_served = min(
            (
                served.served_at[s]
                for s, change in served.changes.items()
                if change["key"].startswith(f"FILL{refused:03d}")
            ),
            default=None,
        )
        if not retried["replayed"]:
            assert first_served is None or first_served >= retry_sent_at

        checkpoint = max(served.checkpoints, key=lambda c: c["seq"])
        saved = tmp_path / "checkpoint.json"
        saved.write_text(json.dumps(checkpoint))
        keys = tmp_path / "registry-keys.json"
        audit = _registry(
            "audit", "verify", "--checkpoint", str(saved), "--keys", str(keys), data=data
        )
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert "checkpoint matches" in audit.stdout
