"""Certificates to write through the API in end-to-end tests: new numbers, seeded parties."""

from __future__ import annotations

__all__ = ["SEEDED_HOLDER", "SEEDED_ISSUER", "new_certificates"]

SEEDED_ISSUER = "121101064193791361"  # CCSC in the seeds
SEEDED_HOLDER = "12210211760664248H"


def new_certificates(prefix: str, count: int) -> list[dict[str, object]]:
    """``count`` certificate inputs numbered ``{prefix}N0000`` upwards, each with its own
    scope text, issued by a seeded body to a seeded holder."""
    return [
        {
            "number": f"{prefix}N{n:04d}",
            "family": "MANAGEMENT_SYSTEM",
            "standard": "GB/T 19001-2016/ISO 9001:2015",
            "scope": f"检验检测服务 {prefix}-{n}",
            "issuedOn": "2026-10-08",
            "expiresOn": "2029-10-07",
            "issuer": SEEDED_ISSUER,
            "holder": SEEDED_HOLDER,
        }
        for n in range(count)
    ]
