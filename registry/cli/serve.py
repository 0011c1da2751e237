"""`registry serve`: the service under uvicorn, on the embedded store unless told otherwise."""

from __future__ import annotations

import argparse
import os
from typing import Any

from registry.cli.options import add_store_options, settings_from
from registry.settings import load_settings

__all__ = ["add_serve_command"]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from registry.http.coalesced_writes import ServingProtocol
    from registry.http.logs import log_config

    settings = settings_from(args)
    # Workers build their own app from the environment, so pass the flags on through it.
    if settings.data_dir is not None:
        os.environ["REGISTRY_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["REGISTRY_STORE_URL"] = settings.store_url
    if args.public_url:
        os.environ["REGISTRY_PUBLIC_URL"] = args.public_url
    load_settings()  # a wrong --public-url stops here, not in every worker
    proxies = args.forwarded_allow_ips.strip()
    uvicorn.run(
        "registry.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config(args.log_level),
        access_log=False,  # the app writes its own access lines, with the request id
        http=ServingProtocol,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise, and rate
        # limits count by the address it reports: only the proxies the operator names.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
    )
    return 0


def add_serve_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the GraphQL service",
        description="Serve /graphql, the pages and the NDJSON routes; an empty store is "
        "loaded with the seed data first. Settings beyond these flags come from REGISTRY_* "
        "variables (see the README).",
    )
    add_store_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people reach the service at, put into QR codes' links (default: "
        "$REGISTRY_PUBLIC_URL, else the address and port a request came in on)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; they share one store (and one embedded database server)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="the least important log lines written (JSON, one a line, on stderr)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="",
        metavar="ADDRESSES",
        help="comma-separated addresses or networks of the reverse proxies whose "
        "X-Forwarded-For names the client (default: none; the peer is the client)",
    )
    serve.set_defaults(run=_serve)
