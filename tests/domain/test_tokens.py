"""Signed certificate tokens: base45 by RFC 9285, and any change to a token is caught."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from graph.models import Certificate, Organization
from registry.trust.tokens import (
    TOKEN_PREFIX,
    InvalidToken,
    TokenProblem,
    assess_claims,
    b45decode,
    b45encode,
    checkpoint_is_valid,
    claims_for,
    key_id,
    read_token,
    scope_digest,
    sign_checkpoint,
    sign_token,
)

KEY = Ed25519PrivateKey.generate()
KID = key_id(KEY.public_key())
PUBLISHED = {KID: KEY.public_key()}
CERTIFICATE = Certificate(
    number="CCSC23SC0102R2",
    family="SERVICE",
    standard="GB/T 27922-2011",
    scope="商品售后服务（五星级）",
    issued_on=date(2023, 12, 15),
    expires_on=date(2026, 12, 14),
    issuer="91110101940807760M",
    holder="12210211760664248H",
    stars=5,
    holder_name="大连产品质量检验检测研究院",
)
HOLDER = Organization(uscc="12210211760664248H", name="大连产品质量检验检测研究院", region="210211")
CLAIMS = claims_for(CERTIFICATE, HOLDER, key_id=KID)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
    ],
)
def test_base45_matches_the_rfc_9285_examples(raw: bytes, encoded: str) -> None:
    assert b45encode(raw) == encoded
    assert b45decode(encoded) == raw


@pytest.mark.parametrize("text", ["GGW", "A", "BB8A", "bb8", "::::", "BB8="])
def test_base45_refuses_text_no_encoder_makes(text: str) -> None:
    with pytest.raises(ValueError, match="base45"):
        b45decode(text)


@given(st.binary(max_size=300))
def test_base45_round_trips_any_bytes(raw: bytes) -> None:
    assert b45decode(b45encode(raw)) == raw


def test_a_signed_token_reads_back_as_its_claims() -> None:
    token = sign_token(CLAIMS, KEY)
    assert token.startswith(TOKEN_PREFIX)
    assert read_token(token, PUBLISHED) == CLAIMS
    assert CLAIMS.scope_digest == scope_digest(CERTIFICATE.scope)
    assert len(CLAIMS.scope_digest) == 11


def test_a_token_is_short_and_all_qr_alphanumeric() -> None:
    token = sign_token(CLAIMS, KEY)
    assert len(token) < 350
    assert set(token) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_a_certificate_without_stars_keeps_none() -> None:
    claims = replace(CLAIMS, stars=None)
    assert read_token(sign_token(claims, KEY), PUBLISHED).stars is None


def test_the_holder_is_named_as_on_the_certificate_even_after_a_rename() -> None:
    renamed = replace(HOLDER, name="大连产品质量检验检测研究院有限公司")
    assert claims_for(CERTIFICATE, renamed, key_id=KID).holder_name == CERTIFICATE.holder_name
    unnamed = replace(CERTIFICATE, holder_name=None)
    assert claims_for(unnamed, renamed, key_id=KID).holder_name == renamed.name


def test_changing_any_character_of_a_token_makes_it_invalid() -> None:
    token = sign_token(CLAIMS, KEY)
    for position, char in enumerate(token):
        replacement = "0" if char != "0" else "1"
        tampered = token[:position] + replacement + token[position + 1 :]
        with pytest.raises(InvalidToken):
            read_token(tampered, PUBLISHED)


def test_a_truncated_or_extended_token_is_malformed() -> None:
    token = sign_token(CLAIMS, KEY)
    for changed in (token[:-3], token + "000", "QR1:", "QR2:" + token[4:], "hello", ""):
        with pytest.raises(InvalidToken) as caught:
            read_token(changed, PUBLISHED)
        assert caught.value.reason in {TokenProblem.MALFORMED, TokenProblem.BAD_SIGNATURE}


def test_a_token_of_an_unpublished_key_is_refused_naming_the_key() -> None:
    other = Ed25519PrivateKey.generate()
    token = sign_token(replace(CLAIMS, key_id=key_id(other.public_key())), other)
    with pytest.raises(InvalidToken) as caught:
        read_token(token, PUBLISHED)
    assert caught.value.reason is TokenProblem.UNKNOWN_KEY
    assert caught.value.key_id == key_id(other.public_key())


def test_a_token_signed_by_another_key_under_a_published_id_is_refused() -> None:
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(InvalidToken) as caught:
        read_token(sign_token(CLAIMS, KEY), {KID: impostor.public_key()})
    assert caught.value.reason is TokenProblem.BAD_SIGNATURE


def test_claims_cannot_name_another_key_than_the_signer() -> None:
    with pytest.raises(ValueError, match="another key"):
        sign_token(replace(CLAIMS, key_id="00000000"), KEY)


def _flip_character(text: str, index: int) -> str:
    """Change one character for certain (a fixed replacement may equal the original)."""
    replacement = "B" if text[index] == "A" else "A"
    return text[:index] + replacement + text[index + 1 :]


def test_a_checkpoint_signature_covers_seq_hash_and_time() -> None:
    checkpoint = sign_checkpoint(42, "ab" * 32, signed_at="2026-11-22T01:02:03.000004Z", key=KEY)
    assert checkpoint.key_id == KID
    assert checkpoint_is_valid(checkpoint, PUBLISHED)
    for changed in (
        replace(checkpoint, seq=41),
        replace(checkpoint, root_hash="cd" * 32),
        replace(checkpoint, signed_at="2026-11-22T01:02:03.000005Z"),
        replace(checkpoint, signature=_flip_character(checkpoint.signature, 10)),
    ):
        assert not checkpoint_is_valid(changed, PUBLISHED)
    assert not checkpoint_is_valid(checkpoint, {})


def test_a_token_signs_its_payload_under_its_own_context_as_documented() -> None:
    """One key signs tokens and checkpoints, so each signs under its own prefix."""
    raw = b45decode(sign_token(CLAIMS, KEY)[len(TOKEN_PREFIX) :])
    payload, signature = raw[:-64], raw[-64:]
    KEY.public_key().verify(signature, b"registry-token/1\x00" + payload)
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(signature, payload)
    assert (payload[0], payload[1:5].hex()) == (1, KID)


def test_a_token_of_a_reissued_certificate_names_what_changed() -> None:
    reissued = replace(CERTIFICATE, scope="商品售后服务（四星级）", stars=4)
    current = claims_for(reissued, HOLDER, key_id=KID)
    assert assess_claims(CLAIMS, current) == (
        TokenProblem.CLAIMS_MISMATCH,
        ("scope_digest", "stars"),
    )


def test_a_token_still_describing_its_certificate_has_no_problem_whatever_key_signs_today() -> None:
    assert assess_claims(CLAIMS, replace(CLAIMS, key_id="ffffffff")) == (None, ())


def test_a_token_of_an_unknown_certificate_is_reported() -> None:
    assert assess_claims(CLAIMS, None) == (TokenProblem.CERTIFICATE_NOT_FOUND, ())


def test_claims_too_long_for_a_token_are_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        sign_token(replace(CLAIMS, standard="X" * 300), KEY)
