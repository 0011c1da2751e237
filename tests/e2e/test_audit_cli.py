"""`registry audit verify` and `registry verify-token` as real processes over a real store."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from falkordb.asyncio import FalkorDB

from graph.changelog import canonical_json
from graph.cypher_store import CypherStore
from graph.embedded import socket_path_for
from graph.log_models import Change
from graph.open import open_store
from registry.http.trust_routes import certificate_token
from registry.operations.seeding import load_seeds
from registry.trust.signing_keys import open_keyring
from registry.trust.tokens import sign_checkpoint
from tests.conftest import SECRET, TODAY

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DALIAN_CERTIFICATE = "CCSC23SC0102R2"


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}


async def _registry(*args: str) -> tuple[int, str]:
    """Run the CLI; its exit status and everything it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "registry.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=_environment(),
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


@contextlib.asynccontextmanager
async def _served(data: Path) -> AsyncIterator[str]:
    """`registry serve` over ``data`` on a free loopback port, until it answers /readyz."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "registry.cli", "serve", "--data", str(data)),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        env={**_environment(), "REGISTRY_ENV": "test"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=1) as http:
            for _ in range(300):
                assert process.returncode is None, "registry serve exited early"
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("registry serve did not become ready")
        yield base
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


@pytest.fixture
async def data(tmp_path: Path) -> AsyncIterator[Path]:
    """A data directory with the seed dataset written into its embedded store."""
    directory = tmp_path / "registry-data"
    store = await open_store(f"falkordb+embedded://{directory}?appendfsync=always")
    try:
        await load_seeds(store, SEEDS, secret=SECRET, today=TODAY)
        yield directory
    finally:
        await store.close()


async def _cypher(data: Path, query: str, params: dict[str, Any] | None = None) -> None:
    """Write to the stored graph behind the registry's back, as an intruder with disk access."""
    db = FalkorDB(unix_socket_path=str(socket_path_for(data)))
    try:
        await db.select_graph("registry").query(query, params or {})
    finally:
        await db.connection.aclose()


async def _with_store(data: Path) -> CypherStore:
    return await open_store(f"falkordb+embedded://{data}")


def _hash(previous: str, change: Change) -> str:
    """The change log's documented link: sha256(previous hash, newline, canonical JSON of
    the change without its hash and its region, which only indexes the feed)."""
    entry = {k: v for k, v in asdict(change).items() if k not in ("hash", "region")}
    return hashlib.sha256(f"{previous}\n{canonical_json(entry)}".encode()).hexdigest()


async def test_audit_verify_passes_an_intact_log_and_names_an_altered_change(data: Path) -> None:
    status, output = await _registry("audit", "verify", "--data", str(data))
    assert status == 0, output
    assert "chain intact: " in output

    await _cypher(data, "MATCH (c:Change {seq: 3}) SET c.actor = 'mallory'")

    status, output = await _registry("audit", "verify", "--data", str(data))
    assert status == 1, output
    assert "BROKEN at seq 3" in output


async def test_audit_verify_names_a_certificate_whose_status_was_set_in_the_store(
    data: Path,
) -> None:
    status, output = await _registry("audit", "verify", "--data", str(data))
    assert status == 0, output
    assert "documents intact: " in output

    await _cypher(
        data,
        "MATCH (c:Certificate {number: $n}) SET c.status = 'WITHDRAWN'",
        {"n": DALIAN_CERTIFICATE},
    )

    status, output = await _registry("audit", "verify", "--data", str(data))
    assert status == 1, output
    assert "chain intact" in output  # the log alone cannot tell
    assert f"document ALTERED: Certificate {DALIAN_CERTIFICATE} " in output


async def test_audit_verify_notices_removed_changes(data: Path) -> None:
    store = await _with_store(data)
    try:
        head = await store.change_head()
    finally:
        await store.close()
    await _cypher(data, "MATCH (c:Change) WHERE c.seq >= $s DELETE c", {"s": head.seq - 1})

    status, output = await _registry("audit", "verify", "--data", str(data))
    assert status == 1, output
    assert f"BROKEN at seq {head.seq - 1}" in output


async def test_a_signed_checkpoint_exposes_a_rewrite_the_chain_alone_cannot(
    data: Path, tmp_path: Path
) -> None:
    keyring = open_keyring(data / "signing-keys")
    store = await _with_store(data)
    try:
        head = await store.change_head()
        changes = await store.get_changes(after=0, limit=1000)
    finally:
        await store.close()
    checkpoint = sign_checkpoint(
        head.seq, head.hash, signed_at="2026-11-22T08:00:00.000000Z", key=keyring.active.private_key
    )
    saved = tmp_path / "checkpoint.json"
    saved.write_text(
        json.dumps(
            {
                "seq": checkpoint.seq,
                "rootHash": checkpoint.root_hash,
                "signedAt": checkpoint.signed_at,
                "keyId": checkpoint.key_id,
                "signature": checkpoint.signature,
            }
        )
    )
    keys = tmp_path / "registry-keys.json"
    keys.write_text(json.dumps(keyring.published()))
    audit = (
        "audit",
        "verify",
        "--data",
        str(data),
        "--checkpoint",
        str(saved),
        "--keys",
        str(keys),
    )
    status, output = await _registry(*audit)
    assert status == 0, output
    assert "checkpoint matches" in output

    # Rewrite change 3 and re-link everything after it, counter included.
    rewritten, previous = [], changes[1].hash
    for change in changes[2:]:
        if change.seq == 3:
            change = Change(**{**asdict(change), "actor": "mallory"})
        previous = _hash(previous, change)
        rewritten.append({"seq": change.seq, "actor": change.actor, "hash": previous})
    await _cypher(
        data,
        "UNWIND $rows AS r MATCH (c:Change {seq: r.seq}) SET c.actor = r.actor, c.hash = r.hash",
        {"rows": rewritten},
    )
    await _cypher(data, "MATCH (k:ChangeCounter {id: 'main'}) SET k.hash = $h", {"h": previous})

    alone, against_checkpoint = await asyncio.gather(
        _registry("audit", "verify", "--data", str(data)), _registry(*audit)
    )
    assert alone[0] == 0, alone[1]  # a consistent rewrite fools the chain on its own
    assert against_checkpoint[0] == 1, against_checkpoint[1]
    assert "history was rewritten" in against_checkpoint[1]


async def _token_and_keys(data: Path, tmp_path: Path) -> tuple[str, Path]:
    keyring = open_keyring(data / "signing-keys")
    store = await _with_store(data)
    try:
        token = await certificate_token(store, DALIAN_CERTIFICATE, keyring)
    finally:
        await store.close()
    assert token is not None
    keys = tmp_path / "registry-keys.json"
    keys.write_text(json.dumps(keyring.published()))
    return token, keys


async def test_verify_token_checks_the_signature_offline_and_says_the_status_is_unchecked(
    data: Path, tmp_path: Path
) -> None:
    token, keys = await _token_and_keys(data, tmp_path)

    tampered = token[:-5] + ("0" if token[-5] != "0" else "1") + token[-4:]
    (status, output), (forged_status, forged_output) = await asyncio.gather(
        _registry("verify-token", token, "--keys", str(keys)),
        _registry("verify-token", tampered, "--keys", str(keys)),
    )
    assert status == 0, output
    assert "signature: valid" in output
    assert DALIAN_CERTIFICATE in output
    assert "大连产品质量检验检测研究院" in output
    assert "status: NOT CHECKED" in output
    assert forged_status == 1, forged_output
    assert "signature: INVALID" in forged_output


async def test_old_tokens_verify_after_a_rotation_and_unknown_keys_do_not(
    data: Path, tmp_path: Path
) -> None:
    token, _ = await _token_and_keys(data, tmp_path)
    status, output = await _registry("keys", "rotate-signing", "--data", str(data))
    assert status == 0, output
    keyring = open_keyring(data / "signing-keys")
    assert len(keyring.keys) == 2
    assert f"new active signing key {keyring.active.key_id}" in output
    keys = tmp_path / "rotated-keys.json"
    keys.write_text(json.dumps(keyring.published()))

    stranger = tmp_path / "stranger-keys.json"
    stranger.write_text(json.dumps(open_keyring(tmp_path / "stranger").published()))
    (status, output), (unknown_status, unknown_output) = await asyncio.gather(
        _registry("verify-token", token, "--keys", str(keys)),
        _registry("verify-token", token, "--keys", str(stranger)),
    )
    assert status == 0, output
    assert unknown_status == 1, unknown_output
    assert "UNKNOWN_KEY" in unknown_output


async def test_verify_token_asks_a_running_registry_for_the_current_status(
    data: Path, tmp_path: Path
) -> None:
    token, keys = await _token_and_keys(data, tmp_path)
    async with _served(data) as base:
        status, output = await _registry("verify-token", token, "--keys", str(keys), "--url", base)
    assert status == 0, output
    assert "registry: verdict VALID, status VALID" in output
    assert "NOT CHECKED" not in output
