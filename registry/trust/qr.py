"""QR code images of certificates, for printing on certificates and the web page.

A code holds the link ``PUBLIC_URL/v/TOKEN``: a phone camera opens the verdict page, and an
offline verifier takes the token back out of the link (:func:`token_from_scan`) and checks its
signature with the published keys, as before. The token sits in one path segment,
percent-encoded: base45's space, ``%`` and ``/`` become ``%20``, ``%25`` and ``%2F`` (a ``/``
would split the segment, and browsers fold ``/../`` away), which keeps every character of that
part in the QR alphanumeric alphabet, so it is encoded in that compact mode after the link's
base in byte mode.
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape
from urllib.parse import quote, unquote, urlsplit

import segno
from segno import consts

__all__ = ["VERIFY_LINK_PATH", "qr_png", "qr_svg", "token_from_scan", "verify_link"]

VERIFY_LINK_PATH = "/v/"
# Error correction M survives a smudged or creased print (15 % of the code); the quiet zone of
# four modules is what the standard asks for so scanners find the code.
_ERROR = "m"
_QUIET_ZONE = 4
_SCALE = 4
_SAFE = ":$*+-."  # the base45 characters that stand for themselves in a path segment
_LABEL_HEIGHT = 20  # pixels under the code for the certificate number (SVG)


def verify_link(base_url: str, token: str) -> str:
    """The address of the verdict page for ``token`` under ``base_url`` (no trailing ``/``)."""
    return base_url.rstrip("/") + VERIFY_LINK_PATH + quote(token, safe=_SAFE)


def token_from_scan(text: str) -> str:
    """The token in what a scanner read: a link made by :func:`verify_link`, or a bare token
    (codes printed before links). Anything else comes back as it was, for the token check to
    refuse."""
    text = text.strip()
    if not text.lower().startswith(("http://", "https://")):
        return text
    path = urlsplit(text).path
    at = path.rfind(VERIFY_LINK_PATH)
    return text if at < 0 else unquote(path[at + len(VERIFY_LINK_PATH) :])


@lru_cache(maxsize=1024)
def _code(link: str) -> segno.QRCode:
    """Choosing the best mask takes ~40 ms for a code, so recent codes are kept."""
    at = link.rfind(VERIFY_LINK_PATH) + len(VERIFY_LINK_PATH)
    segments = [(link[:at], consts.MODE_BYTE), (link[at:], consts.MODE_ALPHANUMERIC)]
    # segno's annotations name one content, but its encoder takes a list of segments.
    return segno.make_qr(segments, error=_ERROR, boost_error=False)  # type: ignore[arg-type]


def qr_svg(link: str, *, number: str, title: str | None = None) -> bytes:
    """The code with the certificate number printed under it, for people to read and type
    where the code cannot be scanned."""
    buffer = io.BytesIO()
    code = _code(link)
    code.save(buffer, kind="svg", scale=_SCALE, border=_QUIET_ZONE, xmldecl=False, title=title)
    width, height = code.symbol_size(scale=_SCALE, border=_QUIET_ZONE)
    svg = buffer.getvalue().decode()
    svg = svg.replace(f'height="{height}"', f'height="{height + _LABEL_HEIGHT}"', 1)
    label = (
        f'<text x="{width // 2}" y="{height + _LABEL_HEIGHT // 2}" text-anchor="middle" '
        'font-family="monospace" font-size="12" fill="#000" class="number">'
        f"{escape(number)}</text>"
    )
    return svg.replace("</svg>", label + "</svg>", 1).encode()


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    _code(link).save(buffer, kind="png", scale=_SCALE, border=_QUIET_ZONE)
    return buffer.getvalue()
