"""HTTP routes of the trust features: QR images of signed tokens and the published keys.

They read the store and settings from ``request.app.state.runtime`` (the app's Runtime), and
the keyring from the signing-keys directory those settings name, loaded once per process.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.port import GraphStore
from registry.domain.identifiers import normalise_identifier
from registry.http.ratelimit import RateLimiter
from registry.http.responses import error_response
from registry.http.runtime import client_address, public_base_url, too_many
from registry.settings import Settings
from registry.trust.qr import qr_png, qr_svg, verify_link
from registry.trust.signing_keys import Keyring, keyring_for
from registry.trust.tokens import Untokenizable, claims_for, sign_token

__all__ = ["TrustRuntime", "certificate_token", "routes"]

_MAX_NUMBER = 64
# A token changes only when the certificate is re-issued or the key rotates; an hour of staleness
# is harmless because verifying a stale token still reports the current state.
_IMAGE_CACHE = "public, max-age=3600"
_KEYS_CACHE = "public, max-age=300"
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class TrustRuntime(Protocol):
    """What the routes need of the app's runtime."""

    settings: Settings
    public_lookups: RateLimiter

    @property
    def open_store(self) -> GraphStore: ...


def _runtime(request: Request) -> TrustRuntime:
    runtime: TrustRuntime = request.app.state.runtime
    return runtime


def _retry_after(request: Request) -> float:
    """A QR image answers whether a number exists, so it is a public lookup and counted like
    one, in the client's shared allowance, against harvesting numbers through it."""
    client = client_address(request) or "unknown"
    return _runtime(request).public_lookups.acquire(f"ip:{client}")


async def certificate_token(store: GraphStore, number: str, keyring: Keyring) -> str | None:
    """The signed token for a stored certificate, or None when there is no such certificate."""
    key = normalise_identifier(number)
    if not 0 < len(key) <= _MAX_NUMBER:
        return None
    found = await store.get_verification_facts([key])
    if not found:
        return None
    signer = keyring.active
    claims = claims_for(found[0].certificate, found[0].holder, key_id=signer.key_id)
    return sign_token(claims, signer.private_key)


async def _qr_image(request: Request, *, kind: str) -> Response:
    runtime = _runtime(request)
    wait = _retry_after(request)
    if wait:
        refused = too_many(wait)
        refused.headers["Cache-Control"] = "no-store"
        return refused
    keyring = await keyring_for(runtime.settings.resolved_signing_keys_dir)
    number = normalise_identifier(request.path_params["number"])
    try:
        token = await certificate_token(runtime.open_store, number, keyring)
    except Untokenizable:
        unfit = error_response(
            422,
            "NO_QR_TOKEN",
            "this certificate's record does not fit a QR token (a date before 1970 or after "
            "2149, or a name over 255 bytes): verify it by its number",
        )
        unfit.headers["Cache-Control"] = "no-store"
        return unfit
    if token is None:
        missing = error_response(404, "NOT_FOUND", "no such certificate")
        missing.headers["Cache-Control"] = "no-store"
        return missing
    link = verify_link(public_base_url(request, runtime.settings), token)
    etag = '"' + hashlib.sha256(f"{kind}\n{link}".encode()).hexdigest()[:32] + '"'
    headers = {"Cache-Control": _IMAGE_CACHE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if kind == "png":
        png = await run_in_threadpool(qr_png, link)
        return Response(png, media_type="image/png", headers=headers)
    title = f"QR code of certificate {number}"
    svg = await run_in_threadpool(lambda: qr_svg(link, number=number, title=title))
    headers["Content-Security-Policy"] = _SVG_POLICY
    return Response(svg, media_type="image/svg+xml", headers=headers)


async def qr_svg_image(request: Request) -> Response:
    return await _qr_image(request, kind="svg")


async def qr_png_image(request: Request) -> Response:
    return await _qr_image(request, kind="png")


async def published_keys(request: Request) -> Response:
    """Anyone may fetch and keep these to check tokens and checkpoints offline."""
    keyring = await keyring_for(_runtime(request).settings.resolved_signing_keys_dir)
    return JSONResponse(
        keyring.published(),
        headers={"Cache-Control": _KEYS_CACHE, "Access-Control-Allow-Origin": "*"},
    )


def routes() -> list[Route]:
    return [
        Route("/certificates/{number}/qr.svg", qr_svg_image, methods=["GET"]),
        Route("/certificates/{number}/qr.png", qr_png_image, methods=["GET"]),
        Route("/.well-known/registry-keys.json", published_keys, methods=["GET"]),
    ]
