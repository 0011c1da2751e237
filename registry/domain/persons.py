"""Natural persons are personal data: the store keeps a keyed digest, not the ID number."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

__all__ = ["person_key"]


def person_key(name: str, id_number: str | None, *, secret: bytes, scope: str) -> str:
    """A stable key that links the same person across institutions without revealing them.

    With an ID number the key is the same wherever the person appears; without one we cannot
    tell namesakes apart, so the key is confined to ``scope`` (the institution naming them).
    """
    if id_number:
        material = "id:" + id_number.upper()
    else:
        material = "name:" + unicodedata.normalize("NFKC", name).strip() + "@" + scope
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()[:32]
