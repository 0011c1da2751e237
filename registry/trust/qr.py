"""QR code images of certificate tokens, for printing on certificates and the web page."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

__all__ = ["qr_png", "qr_svg"]

# Error correction M survives a smudged or creased print (15 % of the code); the quiet zone of
# four modules is what the standard asks for so scanners find the code.
_ERROR = "m"
_QUIET_ZONE = 4
_SCALE = 4


@lru_cache(maxsize=1024)
def _code(token: str) -> segno.QRCode:
    """Choosing the best mask takes ~40 ms for a token, so recent codes are kept.

    A token is all QR alphanumeric characters, so segno picks that compact mode itself."""
    return segno.make_qr(token, error=_ERROR, boost_error=False)


def qr_svg(token: str, *, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    _code(token).save(
        buffer, kind="svg", scale=_SCALE, border=_QUIET_ZONE, xmldecl=False, title=title
    )
    return buffer.getvalue()


def qr_png(token: str) -> bytes:
    buffer = io.BytesIO()
    _code(token).save(buffer, kind="png", scale=_SCALE, border=_QUIET_ZONE)
    return buffer.getvalue()
