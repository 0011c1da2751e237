"""The database of a served registry dies in the middle of a stream: the stream ends with a
STORE_UNAVAILABLE line (never cut silently, never a gap), and the service brings its
database back from disk by itself, with nothing acknowledged lost."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import orjson
import pytest

from tests.e2e.certificates import new_certificates
from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry
from tests.processes import alive

pytestmark = pytest.mark.slow

ISSUE = """mutation($input: [CertificateInput!]!) { issueCertificates(input: $input) {
  __typename ... on IssueCertificatesSuccess { receipt { lastSeq } } } }"""
BATCHES, BATCH = 10, 1000
LONG_SCOPE = "检验检测服务" * 80  # 480 characters: a log of about 20 MB, more than any buffer


def _fill(base: str, key: str) -> int:
    """Write certificates with long scopes; the last seq acknowledged."""
    last = 0
    for batch in range(BATCHES):
        rows = [{**row, "scope": LONG_SCOPE} for row in new_certificates(f"OUT{batch:03d}", BATCH)]
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": ISSUE, "variables": {"input": rows}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        )
        payload = answer.json()["data"]["issueCertificates"]
        assert payload["__typename"] == "IssueCertificatesSuccess", payload
        last = payload["receipt"]["lastSeq"]
    return last


def test_a_stream_cut_by_the_store_says_so_and_the_store_comes_back(tmp_path: Path) -> None:
    data = tmp_path / "registry-data"
    base, process = start_registry(data)
    try:
        key = _registry("keys", "create", "--role", "ADMIN", data=data).stdout.split()[-1]
        acknowledged = _fill(base, key)
        database = int((data / "falkordb.pid").read_text())
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.stream(
            "GET", f"{base}/export/changes.ndjson", headers=headers, timeout=60
        ) as stream:
            lines = stream.iter_lines()
            received = [orjson.loads(next(lines)) for _ in range(100)]
            os.kill(database, signal.SIGKILL)
            while alive(database):
                time.sleep(0.05)
            received += [orjson.loads(line) for line in lines if line]

        last = received[-1]
        assert last["error"]["extensions"]["code"] == "STORE_UNAVAILABLE", last
        changes = received[:-1]
        # In seq order with no gap but the ADMIN key's creation, which no feed carries.
        assert len(_gaps([c["seq"] for c in changes])) <= 1
        assert len(changes) < acknowledged  # the stream was cut, and said so

        deadline = time.monotonic() + 60
        while httpx.get(f"{base}/readyz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "the database did not come back"
            time.sleep(0.2)
        assert int((data / "falkordb.pid").read_text()) != database
        complete = httpx.get(f"{base}/export/changes.ndjson", headers=headers, timeout=120)
        seqs = [orjson.loads(line)["seq"] for line in complete.content.splitlines()]
        assert len(_gaps(seqs)) == 1  # the key's creation
        assert seqs[-1] >= acknowledged
    finally:
        stop_registry(process)


def _gaps(seqs: list[int]) -> set[int]:
    """The seqs missing from a stream that must be in order and without repeats."""
    assert seqs == sorted(set(seqs)), "out of order or repeated"
    return set(range(1, seqs[-1] + 1)) - set(seqs)
