"""`registry serve`: the service under uvicorn, on the embedded store unless told otherwise."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

from graph.embedded import EmbeddedServerError
from graph.open import prestart
from registry.cli.options import add_store_options, settings_from
from registry.settings import ConfigurationError, Settings, load_settings

__all__ = ["add_serve_command", "database_started_early"]


@contextlib.contextmanager
def database_started_early(argv: Sequence[str]) -> Iterator[None]:
    """For `registry serve` on the embedded store: its server starts loading the data
    before the app is imported and built, which then overlaps the load (at 100k
    certificates the two took about as long). The app's store still waits until the server
    answers, so /healthz says ready no sooner than before. Anything this cannot read
    (another command, a configuration error, a server that cannot start) is left to the
    command itself to report, and a refused configuration starts nothing."""
    handle = None
    if argv[:1] == ["serve"] and not {"-h", "--help"} & set(argv):
        early = argparse.ArgumentParser(add_help=False)
        add_store_options(early)
        early.add_argument("--public-url")
        known, _ = early.parse_known_args(argv[1:])
        with contextlib.suppress(ConfigurationError, EmbeddedServerError, OSError):
            handle = asyncio.run(prestart(_settings(known).resolved_store_url))
    try:
        yield
    finally:
        if handle is not None:
            asyncio.run(handle.release())


def _settings(args: argparse.Namespace) -> Settings:
    """The settings `serve` runs with, also put in the environment: workers build their own
    app from it. A wrong --public-url stops here, not in every worker."""
    settings = settings_from(args)
    if settings.data_dir is not None:
        os.environ["REGISTRY_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["REGISTRY_STORE_URL"] = settings.store_url
    if args.public_url:
        os.environ["REGISTRY_PUBLIC_URL"] = args.public_url
    return load_settings()


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from registry.http.coalesced_writes import ServingProtocol
    from registry.http.logs import log_config

    _settings(args)
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
