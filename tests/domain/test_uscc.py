"""Unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from registry.domain.uscc import USCC_ALPHABET, is_valid_uscc, make_uscc, uscc_check_character

bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_a_published_code_is_valid() -> None:
    assert is_valid_uscc("91350100M000100Y43")


@given(bodies)
def test_every_body_has_exactly_one_valid_check_character(body: str) -> None:
    valid = [c for c in USCC_ALPHABET if is_valid_uscc(body + c)]
    assert valid == [uscc_check_character(body)]


@given(bodies, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_a_single_typo_is_caught(body: str, position: int, symbol: str) -> None:
    code = body + uscc_check_character(body)
    typo = code[:position] + symbol + code[position + 1 :]
    assert is_valid_uscc(typo) == (typo == code)


def test_letters_outside_the_alphabet_and_wrong_lengths_are_refused() -> None:
    assert not is_valid_uscc("91350100M000100Y4")
    assert not is_valid_uscc("91350100M000100Y43X")
    assert not is_valid_uscc("9135010OM000100Y43")  # letter O is not a USCC symbol


def test_made_codes_are_valid_and_carry_their_region() -> None:
    code = make_uscc(authority="1", kind="2", region_code="210200", serial=42)
    assert is_valid_uscc(code)
    assert code[2:8] == "210200"
