"""The registry's signing keys: made once, kept private, rotated without orphaning old tokens."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry.settings import Settings
from registry.trust.signing_keys import (
    SigningKeyError,
    keyring_for,
    open_keyring,
    public_keys_from_document,
    rotate,
)
from registry.trust.tokens import claims_for, read_token, sign_token
from tests.domain.test_tokens import CERTIFICATE, HOLDER


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _key_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.key"))


def test_the_first_start_makes_one_private_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    directory = tmp_path / "data" / "signing-keys"
    keyring = open_keyring(directory)
    (key_file,) = _key_files(directory)
    assert _mode(directory) == 0o700
    assert _mode(key_file) == 0o600
    assert keyring.active.key_id in key_file.name
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_later_starts_reuse_the_key(tmp_path: Path) -> None:
    first = open_keyring(tmp_path)
    again = open_keyring(tmp_path)
    assert again.active.key_id == first.active.key_id
    assert len(_key_files(tmp_path)) == 1


def test_rotation_makes_a_new_active_key_and_keeps_the_old_ones_published(
    tmp_path: Path,
) -> None:
    old = open_keyring(tmp_path).active
    old_token = sign_token(claims_for(CERTIFICATE, HOLDER, key_id=old.key_id), old.private_key)
    new = rotate(tmp_path)
    keyring = open_keyring(tmp_path)
    assert keyring.active.key_id == new.key_id != old.key_id
    published = keyring.published()["keys"]
    assert isinstance(published, list)
    assert [(k["kid"], k["active"]) for k in published] == [(new.key_id, True), (old.key_id, False)]
    assert {k["alg"] for k in published} == {"EdDSA"}
    assert {k["crv"] for k in published} == {"Ed25519"}
    public = public_keys_from_document(keyring.published())
    assert read_token(old_token, public).key_id == old.key_id


def test_the_published_document_refuses_a_key_under_another_id(tmp_path: Path) -> None:
    document = open_keyring(tmp_path).published()
    keys = document["keys"]
    assert isinstance(keys, list)
    keys[0]["kid"] = "00000000"
    with pytest.raises(ValueError, match="does not have that id"):
        public_keys_from_document(document)


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    open_keyring(tmp_path)
    (key_file,) = _key_files(tmp_path)
    key_file.chmod(0o644)
    with pytest.raises(SigningKeyError, match="readable by others"):
        open_keyring(tmp_path)


_START = """
import sys, time
from pathlib import Path
from registry.trust.signing_keys import open_keyring
go = Path(sys.argv[2])
Path(sys.argv[3]).touch()
while not go.exists():
    pass
print(open_keyring(Path(sys.argv[1])).active.key_id)
"""


def test_processes_starting_together_agree_on_one_first_key(tmp_path: Path) -> None:
    directory, go = tmp_path / "signing-keys", tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(6)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _START, str(directory), str(go), str(flag)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + 30
    while not all(flag.exists() for flag in ready):
        assert time.monotonic() < deadline, "the processes did not start"
        time.sleep(0.01)
    go.touch()
    key_ids = {process.communicate(timeout=30)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(key_ids) == 1
    assert len(_key_files(directory)) == 1


async def test_a_running_process_loads_the_keys_once(tmp_path: Path) -> None:
    open_keyring(tmp_path)
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(tmp_path, ns=(an_hour_ago, an_hour_ago))
    first = await keyring_for(tmp_path)
    assert await keyring_for(tmp_path) is first


async def test_a_running_process_sees_a_rotation_made_elsewhere_at_once(tmp_path: Path) -> None:
    first = await keyring_for(tmp_path)
    new = rotate(tmp_path)  # within the same tick of the file clock, quite likely
    assert new.key_id != first.active.key_id
    assert (await keyring_for(tmp_path)).active.key_id == new.key_id


def test_keys_live_in_the_data_directory_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGISTRY_SIGNING_KEYS_DIR", raising=False)
    data = tmp_path / "data"
    assert Settings(data_dir=data).resolved_signing_keys_dir == data.resolve() / "signing-keys"
    embedded = Settings(store_url=f"falkordb+embedded://{data}?graph=g")
    assert embedded.resolved_signing_keys_dir == data.resolve() / "signing-keys"
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS_DIR", str(tmp_path / "elsewhere"))
    assert Settings(data_dir=data).resolved_signing_keys_dir == tmp_path / "elsewhere"
