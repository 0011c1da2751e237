"""The yardstick for ``bench.verification``: certificate verification as a plain JSON endpoint.

    python -m bench.plain_verify_app --data DIR --host 127.0.0.1 --port 8001 [--workers 1]

``POST /verify`` with ``{"number": "...", "holderName": "..."}`` (``holderName`` optional)
does the store work ``verifyCertificate`` does - one ``get_verification_facts`` call, then the
pure ``verify`` - and answers the same fields as the GraphQL operation the bench sends (the
shipped persisted document: verdict, the certificate's public fields, the chain of trust,
the warnings with their words), encoded with orjson. No GraphQL, no authentication, no rate
limits: what is left is the floor the GraphQL endpoint is compared with. ``GET /healthz``
answers once the store is open.

The store is opened in the lifespan with ``open_store("falkordb+embedded://DIR")``; a process
attaching to a data directory another process already serves shares that embedded server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from graph.clock import registry_today
from graph.open import open_store
from graph.port import GraphStore
from registry.domain.verification import Verification, verify
from registry.domain.warning_texts import WARNING_TEXT
from registry.operations.verification import MAX_HOLDER_NAME

__all__ = ["DATA_ENV", "answer", "create_app", "main"]

DATA_ENV = "BENCH_PLAIN_VERIFY_DATA"
MAX_NUMBER = 64  # as registry.operations.verification: longer numbers are simply not found


def answer(number: str, result: Verification, *, checked_at: datetime) -> dict[str, Any]:
    """The fields the shipped persisted document selects
    (``registry/persisted/verify_certificate.graphql``), under the same names."""
    facts, chain, status = result.facts, result.chain, result.status
    if facts is None or chain is None or status is None:
        return {
            "verdict": result.verdict.value,
            "number": number,
            "checkedAt": checked_at,
            "certificate": None,
            "chainOfTrust": None,
            "warnings": [],
        }
    c = facts.certificate
    accreditation = chain.accreditation
    since = result.standing.since if result.standing else None  # as PublicCertificate.of
    return {
        "verdict": result.verdict.value,
        "number": c.number,
        "checkedAt": checked_at,
        "certificate": {
            "number": c.number,
            "family": c.family,
            "standard": c.standard,
            "scope": c.scope,
            "stars": c.stars,
            "holderName": facts.holder.name if facts.holder else c.holder_name,
            "issuerName": facts.issuer.name if facts.issuer else None,
            "issuerUscc": c.issuer,
            "issuedOn": c.issued_on,
            "expiresOn": c.expires_on,
            "status": status.value,
            "statusSince": since or c.status_since,
            "statusReason": result.standing.reason
            if since and result.standing
            else c.status_reason,
        },
        "chainOfTrust": {
            "accreditedOnIssueDate": chain.accredited_on_issue_date,
            "accreditationNumber": accreditation.number if accreditation else None,
            "accreditationScheme": accreditation.scheme if accreditation else None,
            "accreditationBody": accreditation.body_name if accreditation else None,
            "accreditationBodyUscc": accreditation.body if accreditation else None,
            "accreditationValidUntil": accreditation.valid_until if accreditation else None,
            "scopeCoversCertificate": chain.scope_covers_certificate,
            "issuerSuspendedNow": chain.issuer_suspended_now,
        },
        "warnings": [
            {"code": w.value, "message": WARNING_TEXT[w][0], "messageZh": WARNING_TEXT[w][1]}
            for w in result.warnings
        ],
    }


def _json(body: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def _bad_request(message: str) -> Response:
    return _json({"error": message}, status_code=400)


def create_app(data: str | None = None) -> Starlette:
    """The app over the embedded store in ``data`` (default: ``$BENCH_PLAIN_VERIFY_DATA``)."""
    directory = data or os.environ[DATA_ENV]
    holder: dict[str, GraphStore] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        holder["store"] = await open_store(f"falkordb+embedded://{directory}")
        try:
            yield
        finally:
            await holder.pop("store").close()

    async def verify_endpoint(request: Request) -> Response:
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _bad_request("the body is not JSON")
        if not isinstance(payload, dict):
            return _bad_request("the body is not a JSON object")
        number, holder_name = payload.get("number"), payload.get("holderName")
        if not isinstance(number, str):
            return _bad_request("number must be a string")
        if holder_name is not None and (
            not isinstance(holder_name, str) or len(holder_name) > MAX_HOLDER_NAME
        ):
            return _bad_request(f"holderName must be a string of at most {MAX_HOLDER_NAME}")
        # The same work as registry.operations.verification.verify_certificate.
        key = number.strip().upper()
        found = (
            await holder["store"].get_verification_facts([key])
            if 0 < len(key) <= MAX_NUMBER
            else []
        )
        result = verify(
            found[0] if found else None, holder_name=holder_name, today=registry_today()
        )
        return _json(answer(number, result, checked_at=datetime.now(UTC)))

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/verify", verify_endpoint, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.plain_verify_app", description=__doc__)
    parser.add_argument("--data", required=True, help="embedded store directory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    # Workers build their own app, so the directory goes through the environment (as with
    # `registry serve`); uvicorn's other settings are the ones `registry serve` uses.
    os.environ[DATA_ENV] = os.path.abspath(args.data)
    uvicorn.run(
        "bench.plain_verify_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
