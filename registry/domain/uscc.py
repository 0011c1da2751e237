"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

The code has 18 characters from a 31-symbol alphabet (no I, O, S, V, Z); the last one is a
mod-31 check digit over the first 17, so a typo is caught before it reaches the store.
"""

from __future__ import annotations

__all__ = ["USCC_ALPHABET", "is_valid_uscc", "make_uscc", "uscc_check_character"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {symbol: value for value, symbol in enumerate(USCC_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_character(body: str) -> str:
    """The 18th character for a 17-character body; raises ValueError on foreign symbols."""
    if len(body) != 17:
        raise ValueError("a USCC body has 17 characters")
    try:
        total = sum(_VALUES[symbol] * weight for symbol, weight in zip(body, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a USCC symbol") from exc
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when the code has 18 USCC symbols and a correct check character."""
    if len(code) != 18 or any(symbol not in _VALUES for symbol in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def _org_code_check_character(first_eight: str) -> str:
    """GB 11714 organisation-code check character (positions 9-17 of a USCC)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(first_eight, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(*, authority: str, kind: str, region_code: str, serial: int) -> str:
    """Build a well-formed USCC, for seeds and synthetic data.

    ``authority`` and ``kind`` are the registration authority and entity type codes
    (e.g. "9" and "1" for an enterprise, "1" and "2" for a public institution).
    """
    first_eight = f"{serial % 100_000_000:08d}"
    body = f"{authority}{kind}{region_code}{first_eight}{_org_code_check_character(first_eight)}"
    return body + uscc_check_character(body)
