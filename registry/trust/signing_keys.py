"""The registry's Ed25519 signing keys: made on first start, rotated, public halves published.

Why files: the keys must outlive processes and be shared by every worker and the CLI over one
data directory, like the embedded store. Each key is one PEM file (PKCS#8, mode 0600, directory
0700) named ``<created>-<key id>.key``; the newest is the active one, and older ones stay so
tokens and checkpoints they signed still verify. Deleting a file withdraws that key.
Creating and rotating happen under an exclusive lock on ``keys.lock``, so processes starting
together agree on one first key.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from registry.trust.tokens import b64url, b64url_decode, key_id

__all__ = [
    "Keyring",
    "SigningKey",
    "SigningKeyError",
    "keyring_for",
    "open_keyring",
    "public_keys_from_document",
    "rotate",
]

_LOCK_NAME = "keys.lock"
_KEY_NAME = re.compile(r"^(\d{8}T\d{12}Z)-([0-9a-f]{8})\.key$")
_NAME_TIME = "%Y%m%dT%H%M%S%fZ"
_ISO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
_MICROSECOND = datetime.resolution


class SigningKeyError(RuntimeError):
    """The key directory cannot be used safely (unreadable, or keys readable by others)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    created: str  # UTC, ISO 8601
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class Keyring:
    """All keys, oldest first; the last one signs."""

    keys: tuple[SigningKey, ...]

    @property
    def active(self) -> SigningKey:
        return self.keys[-1]

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {key.key_id: key.public_key for key in self.keys}

    def published(self) -> dict[str, object]:
        """The document served at /.well-known/registry-keys.json (a JWK set), newest first."""
        return {
            "keys": [
                {
                    "kid": key.key_id,
                    "kty": "OKP",
                    "alg": "EdDSA",
                    "crv": "Ed25519",
                    "use": "sig",
                    "x": b64url(key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)),
                    "active": key is self.active,
                    "created": key.created,
                }
                for key in reversed(self.keys)
            ]
        }


def public_keys_from_document(document: Mapping[str, object]) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a saved registry-keys.json; a key whose id does not match it is
    refused, so a doctored file cannot pass one key off under another's id."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("a keys document has a 'keys' list")
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("crv") != "Ed25519":
            continue
        kid, x = entry.get("kid"), entry.get("x")
        if not isinstance(kid, str) or not isinstance(x, str):
            raise ValueError("each key has a 'kid' and an 'x'")
        raw = b64url_decode(x)
        if len(raw) != 32:
            raise ValueError(f"key {kid} is not a 32-byte Ed25519 public key")
        public_key = Ed25519PublicKey.from_public_bytes(raw)
        if key_id(public_key) != kid:
            raise ValueError(f"key {kid} does not have that id")
        keys[kid] = public_key
    return keys


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _load(directory: Path) -> list[SigningKey]:
    keys: list[SigningKey] = []
    for path in sorted(directory.iterdir()):
        match = _KEY_NAME.match(path.name)
        if match is None:
            continue
        if path.stat().st_mode & 0o077:
            raise SigningKeyError(f"{path} is readable by others: chmod 600 it")
        try:
            private_key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"{path} is not an unencrypted PEM private key") from exc
        if not isinstance(private_key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path} is not an Ed25519 key")
        if key_id(private_key.public_key()) != match[2]:
            raise SigningKeyError(f"{path} does not hold the key its name says")
        created = datetime.strptime(match[1], _NAME_TIME).replace(tzinfo=UTC)
        keys.append(SigningKey(match[2], _iso(created), private_key, private_key.public_key()))
    return keys


def _iso(moment: datetime) -> str:
    return moment.strftime(_ISO_TIME)


def _create(directory: Path, existing: list[SigningKey]) -> SigningKey:
    """Write a new key file atomically (temporary file, fsync, rename) and return the key."""
    taken = {key.key_id for key in existing}
    private_key = Ed25519PrivateKey.generate()
    while key_id(private_key.public_key()) in taken:
        private_key = Ed25519PrivateKey.generate()
    kid = key_id(private_key.public_key())
    created = datetime.now(UTC)
    if existing:  # names sort by creation time, even if the clock stepped back
        latest = datetime.strptime(existing[-1].created, _ISO_TIME)
        created = max(created, latest.replace(tzinfo=UTC) + _MICROSECOND)
    name = f"{created.strftime(_NAME_TIME)}-{kid}.key"
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    temporary = directory / f".{name}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, directory / name)
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
    return SigningKey(kid, _iso(created), private_key, private_key.public_key())


def open_keyring(directory: Path) -> Keyring:
    """The keys in ``directory``, making the first one if there is none yet."""
    with _locked(directory):
        keys = _load(directory)
        if not keys:
            keys.append(_create(directory, keys))
    return Keyring(tuple(keys))


def rotate(directory: Path) -> SigningKey:
    """Make a new active key; the old ones stay published."""
    with _locked(directory):
        keys = _load(directory)
        return _create(directory, keys)


_SETTLED_NS = 1_000_000_000
_cache: dict[Path, tuple[int, bool, Keyring]] = {}


def _stamp(directory: Path) -> int:
    try:
        return directory.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


async def keyring_for(directory: Path) -> Keyring:
    """This process's keyring for ``directory``: loaded once (off the event loop), and again
    when a file was added or removed there (a rotation by the CLI, say).

    File times tick coarsely (milliseconds), so a change in the same tick as the last load
    would keep the directory's time: until its time is a second old, the keys are reloaded."""
    stamp = _stamp(directory)  # taken before loading, so a change meanwhile shows next time
    cached = _cache.get(directory)
    if cached is not None and cached[0] == stamp and cached[1]:
        return cached[2]
    keyring = await anyio.to_thread.run_sync(open_keyring, directory)
    settled = stamp >= 0 and time.time_ns() - stamp > _SETTLED_NS
    _cache[directory] = (stamp, settled, keyring)
    return keyring
