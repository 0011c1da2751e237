"""Signed statements the registry hands out: certificate tokens (QR codes) and audit checkpoints.

Why: anyone holding the registry's published public keys can check them with no network, so a
printed QR code proves what was issued even where the registry cannot be reached.

Token text is ``QR1:`` followed by base45 (RFC 9285) of ``payload ‖ signature``, all of it in the
QR alphanumeric alphabet so the code stays small. The payload is positional binary, one
encoding per content (integers big-endian, ``str`` = one length byte + UTF-8)::

    u8   format version (1)
    4 B  key id (its 8 hex digits)
    u16  issuedOn, days since 1970-01-01
    u16  expiresOn, days since 1970-01-01
    u8   star grade, 0 when none
    8 B  scope digest: the first 8 bytes of SHA-256 of the scope (UTF-8)
    str  certificate number, holder USCC, holder name, issuer USCC, standard (in this order)

The signature is Ed25519 (64 bytes) over ``b"registry-token/1\\0" ‖ payload``; checkpoints sign
``b"registry-checkpoint/1\\0" ‖ canonical JSON {rootHash, seq, signedAt}``, so neither kind of
signature can be passed off as the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from graph.changelog import canonical_json
from graph.models import Certificate, Organization

__all__ = [
    "MAX_TOKEN_LENGTH",
    "TOKEN_PREFIX",
    "TOKEN_VERSION",
    "Checkpoint",
    "InvalidToken",
    "TokenClaims",
    "TokenProblem",
    "Untokenizable",
    "assess_claims",
    "b45decode",
    "b45encode",
    "b64url",
    "b64url_decode",
    "checkpoint_is_valid",
    "claims_for",
    "differing_claims",
    "key_id",
    "read_token",
    "scope_digest",
    "sign_checkpoint",
    "sign_token",
]

TOKEN_PREFIX = "QR1:"  # noqa: S105 - a format marker, not a secret
TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 1200  # a version 1 token is about 300 characters; anything far longer is junk
_TOKEN_CONTEXT = b"registry-token/1\x00"
_CHECKPOINT_CONTEXT = b"registry-checkpoint/1\x00"
_HEAD = struct.Struct(">B4sHHB8s")
_SIGNATURE_BYTES = 64
_EPOCH = date(1970, 1, 1)
_TEXT_FIELDS = 5

_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES = {char: value for value, char in enumerate(_B45)}


class TokenProblem(StrEnum):
    """Why a token is not (or no longer) to be trusted; the first four are found offline."""

    MALFORMED = "MALFORMED"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    CERTIFICATE_NOT_FOUND = "CERTIFICATE_NOT_FOUND"
    CLAIMS_MISMATCH = "CLAIMS_MISMATCH"


class InvalidToken(ValueError):
    """The token was not signed by a published registry key, or is not a token at all."""

    def __init__(self, reason: TokenProblem, detail: str, *, key_id: str | None = None) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.key_id = key_id  # known once the payload could be read


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a token states about a certificate when it was signed."""

    key_id: str
    number: str
    holder_uscc: str
    holder_name: str
    issuer_uscc: str
    standard: str
    scope_digest: str  # base64url, 11 characters
    issued_on: date
    expires_on: date
    stars: int | None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of the change log's head: its hash commits to all history."""

    seq: int
    root_hash: str
    signed_at: str
    key_id: str
    signature: str  # base64url


# base45 (RFC 9285) --------------------------------------------------------------------------
def b45encode(data: bytes) -> str:
    """Two bytes become three characters, a last single byte two (least significant first)."""
    out: list[str] = []
    for start in range(0, len(data), 2):
        pair = data[start : start + 2]
        value = pair[0] * 256 + pair[1] if len(pair) == 2 else pair[0]
        for _ in range(3 if len(pair) == 2 else 2):
            value, digit = divmod(value, 45)
            out.append(_B45[digit])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The inverse of :func:`b45encode`; refuses characters, lengths and values it cannot make."""
    if len(text) % 3 == 1:
        raise ValueError("base45 text cannot have a length of 3n+1")
    try:
        digits = [_B45_VALUES[char] for char in text]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a base45 character") from exc
    out = bytearray()
    for start in range(0, len(digits), 3):
        chunk = digits[start : start + 3]
        value = sum(digit * 45**power for power, digit in enumerate(chunk))
        if len(chunk) == 3:
            if value > 0xFFFF:
                raise ValueError("base45 triple out of range")
            out += value.to_bytes(2, "big")
        else:
            if value > 0xFF:
                raise ValueError("base45 pair out of range")
            out.append(value)
    return bytes(out)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Unpadded base64url, strictly: other alphabets and stray characters are refused."""
    if not text.isascii() or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


# claims --------------------------------------------------------------------------------------
def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 8 hex digits of SHA-256 of the raw public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def scope_digest(scope: str) -> str:
    return b64url(hashlib.sha256(scope.encode()).digest()[:8])


def claims_for(
    certificate: Certificate, holder: Organization | None, *, key_id: str
) -> TokenClaims:
    """The claims for a stored certificate; the holder is named as on the certificate."""
    holder_name = certificate.holder_name or (holder.name if holder is not None else "")
    return TokenClaims(
        key_id=key_id,
        number=certificate.number,
        holder_uscc=certificate.holder,
        holder_name=holder_name,
        issuer_uscc=certificate.issuer,
        standard=certificate.standard,
        scope_digest=scope_digest(certificate.scope),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        stars=certificate.stars,
    )


def differing_claims(token: TokenClaims, current: TokenClaims) -> tuple[str, ...]:
    """Names of the claims (other than the key id) in which the token and today's record differ."""
    return tuple(
        f.name
        for f in fields(TokenClaims)
        if f.name != "key_id" and getattr(token, f.name) != getattr(current, f.name)
    )


def assess_claims(
    token: TokenClaims, current: TokenClaims | None
) -> tuple[TokenProblem | None, tuple[str, ...]]:
    """Does a genuine token still describe the stored certificate (``current``: the claims the
    registry would sign today, None when the number is unknown)? The problem and what differs."""
    if current is None:
        return TokenProblem.CERTIFICATE_NOT_FOUND, ()
    differing = differing_claims(token, current)
    return (TokenProblem.CLAIMS_MISMATCH if differing else None), differing


# tokens --------------------------------------------------------------------------------------
class Untokenizable(ValueError):
    """A stored certificate whose claims a version 1 token cannot carry: a date outside
    1970-01-01 to 2149-06-06, or a text over 255 bytes (a holder name of 86 Chinese
    characters). The registry keeps such records; they have no QR token."""


def _days(day: date) -> int:
    days = (day - _EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise Untokenizable(f"{day} cannot be put in a token")
    return days


def _text(value: str) -> bytes:
    raw = value.encode()
    if len(raw) > 0xFF:
        raise Untokenizable(f"{value[:20]!r}... is too long for a token")
    return bytes([len(raw)]) + raw


def _payload(claims: TokenClaims) -> bytes:
    if claims.stars is not None and not 1 <= claims.stars <= 5:
        raise ValueError("a star grade is 1 to 5")
    kid, digest = bytes.fromhex(claims.key_id), b64url_decode(claims.scope_digest)
    if (len(kid), len(digest)) != (4, 8):
        raise ValueError("a key id is 8 hex digits and a scope digest 8 bytes")
    head = _HEAD.pack(
        TOKEN_VERSION,
        kid,
        _days(claims.issued_on),
        _days(claims.expires_on),
        claims.stars or 0,
        digest,
    )
    texts = (
        claims.number,
        claims.holder_uscc,
        claims.holder_name,
        claims.issuer_uscc,
        claims.standard,
    )
    return head + b"".join(_text(value) for value in texts)


def sign_token(claims: TokenClaims, key: Ed25519PrivateKey) -> str:
    """The token text for ``claims``, signed by ``key`` (whose id the claims must carry)."""
    if claims.key_id != key_id(key.public_key()):
        raise ValueError("the claims name another key than the one signing them")
    payload = _payload(claims)
    return TOKEN_PREFIX + b45encode(payload + key.sign(_TOKEN_CONTEXT + payload))


def _parse(payload: bytes) -> TokenClaims:
    """Decode the payload strictly: one encoding per content, nothing left over."""
    if len(payload) < _HEAD.size:
        raise InvalidToken(TokenProblem.MALFORMED, "the payload is too short")
    version, kid, issued, expires, stars, digest = _HEAD.unpack_from(payload)
    if version != TOKEN_VERSION:
        raise InvalidToken(TokenProblem.UNSUPPORTED_VERSION, f"format version {version}")
    if stars > 5:
        raise InvalidToken(TokenProblem.MALFORMED, "star grade out of range")
    texts: list[str] = []
    offset = _HEAD.size
    for _ in range(_TEXT_FIELDS):
        if offset >= len(payload) or offset + 1 + payload[offset] > len(payload):
            raise InvalidToken(TokenProblem.MALFORMED, "the payload is cut short")
        raw = payload[offset + 1 : offset + 1 + payload[offset]]
        offset += 1 + len(raw)
        try:
            texts.append(raw.decode())
        except UnicodeDecodeError as exc:
            raise InvalidToken(TokenProblem.MALFORMED, "text is not UTF-8") from exc
    if offset != len(payload):
        raise InvalidToken(TokenProblem.MALFORMED, "unexpected bytes after the claims")
    number, holder_uscc, holder_name, issuer_uscc, standard = texts
    return TokenClaims(
        key_id=kid.hex(),
        number=number,
        holder_uscc=holder_uscc,
        holder_name=holder_name,
        issuer_uscc=issuer_uscc,
        standard=standard,
        scope_digest=b64url(digest),
        issued_on=_EPOCH + timedelta(days=issued),
        expires_on=_EPOCH + timedelta(days=expires),
        stars=stars or None,
    )


def read_token(token: str, public_keys: Mapping[str, Ed25519PublicKey]) -> TokenClaims:
    """The claims of a token signed by one of ``public_keys`` (by key id), else InvalidToken."""
    text = token.strip()
    if not text.startswith(TOKEN_PREFIX) or len(text) > MAX_TOKEN_LENGTH:
        raise InvalidToken(TokenProblem.MALFORMED, f"a token starts with {TOKEN_PREFIX}")
    try:
        raw = b45decode(text[len(TOKEN_PREFIX) :])
    except ValueError as exc:
        raise InvalidToken(TokenProblem.MALFORMED, str(exc)) from exc
    if len(raw) < _SIGNATURE_BYTES:
        raise InvalidToken(TokenProblem.MALFORMED, "the token is too short")
    payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
    claims = _parse(payload)
    key = public_keys.get(claims.key_id)
    if key is None:
        raise InvalidToken(
            TokenProblem.UNKNOWN_KEY, f"no published key {claims.key_id}", key_id=claims.key_id
        )
    try:
        key.verify(signature, _TOKEN_CONTEXT + payload)
    except InvalidSignature as exc:
        raise InvalidToken(
            TokenProblem.BAD_SIGNATURE, "the signature does not match", key_id=claims.key_id
        ) from exc
    return claims


# checkpoints ---------------------------------------------------------------------------------
def _checkpoint_message(seq: int, root_hash: str, signed_at: str) -> bytes:
    body = canonical_json({"rootHash": root_hash, "seq": seq, "signedAt": signed_at})
    return _CHECKPOINT_CONTEXT + body.encode()


def sign_checkpoint(
    seq: int, root_hash: str, *, signed_at: str, key: Ed25519PrivateKey
) -> Checkpoint:
    signature = key.sign(_checkpoint_message(seq, root_hash, signed_at))
    return Checkpoint(seq, root_hash, signed_at, key_id(key.public_key()), b64url(signature))


def checkpoint_is_valid(
    checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]
) -> bool:
    """True when one of ``public_keys`` signed exactly this (seq, root hash, time)."""
    key = public_keys.get(checkpoint.key_id)
    if key is None:
        return False
    try:
        signature = b64url_decode(checkpoint.signature)
        key.verify(
            signature,
            _checkpoint_message(checkpoint.seq, checkpoint.root_hash, checkpoint.signed_at),
        )
    except (ValueError, InvalidSignature):
        return False
    return True
