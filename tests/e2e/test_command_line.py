"""The `registry` command as an operator meets it: help that describes every option with its
default, configuration errors in one line, identifiers and entity names as people type them."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.cli.main import build_parser
from registry.cli.serve import database_started_early
from tests.graph.test_embedded_server import directory_is_free
from tests.input_methods import full_width

CCSC = "91110101940807760M"


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from _commands(command, (*path, name))


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`registry ARGS` with the REGISTRY_* variables given and no others."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean, **env},
    )


def test_every_option_of_every_command_says_what_it_does_and_its_default() -> None:
    for path, parser in _commands(build_parser()):
        shown = " ".join(parser.format_help().split())
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            name = " ".join((*path, *action.option_strings)) or action.dest
            assert action.help, f"registry {name} has no help"
            if action.default not in (None, False):
                assert f"(default: {action.default})" in shown, f"registry {name}: no default"


@pytest.mark.slow
def test_serve_help_describes_host_port_and_workers_with_their_defaults() -> None:
    shown = _run("serve", "--help")

    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    for option, default in [("--host", "127.0.0.1"), ("--port", "8000"), ("--workers", "1")]:
        described = re.search(rf" {option} [A-Z]+ (.*?)\(default: ([^)]*)\)", text)
        assert described is not None, option
        assert " --" not in described[1], f"{option} has no default of its own"
        assert described[2] == default


@pytest.mark.slow
def test_a_missing_production_secret_is_one_clear_line_and_a_failure(tmp_path: Path) -> None:
    refused = _run("serve", "--data", str(tmp_path / "data"), REGISTRY_ENV="production")

    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "registry: configuration error: REGISTRY_SECRET_KEY must be set in production"
    ]
    assert not (tmp_path / "data").exists()  # nothing was started


@pytest.mark.slow
def test_a_public_url_that_is_no_web_address_stops_serve_in_one_line(tmp_path: Path) -> None:
    """The address goes into QR codes people print: a wrong one must not get that far."""
    refused = _run("serve", "--data", str(tmp_path / "data"), "--public-url", "ftp://x.example")

    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "registry: configuration error: REGISTRY_PUBLIC_URL: must be an http:// or https:// "
        "address with a host"
    ]
    assert not (tmp_path / "data").exists()


@pytest.mark.slow
def test_a_store_that_cannot_be_reached_is_one_line_with_its_code() -> None:
    refused = _run("seed", REGISTRY_STORE_URL="falkordb://127.0.0.1:1?graph=registry")

    assert refused.returncode == 1
    [line] = refused.stderr.splitlines()
    assert line.startswith("registry: STORE_UNAVAILABLE: FalkorDB unavailable: ")


@pytest.mark.slow
def test_keys_take_a_uscc_and_entities_as_people_type_them(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert _run("seed", "--data", data, REGISTRY_ENV="test").returncode == 0

    bound = _run(
        "keys", "create", "--role", "CERTIFICATION_BODY", "--institution", full_width(CCSC),
        "--data", data, REGISTRY_ENV="test",
    )  # fmt: skip
    scoped = _run(
        "keys", "create", "--role", "PARTNER", "--entities", "CERTIFICATE,Institution",
        "--data", data, REGISTRY_ENV="test",
    )  # fmt: skip
    unknown = _run(
        "keys", "create", "--role", "PARTNER", "--entities", "Nothing",
        "--data", data, REGISTRY_ENV="test",
    )  # fmt: skip

    assert bound.returncode == 0, bound.stderr
    assert scoped.returncode == 0, scoped.stderr
    assert unknown.returncode == 2
    assert "unknown entities Nothing; one of Region, Institution" in unknown.stderr


def test_serve_starts_its_embedded_database_first_and_stops_it_after(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with database_started_early(["serve", "--data", str(data), "--port", "0"]):
        assert not directory_is_free(data)
    assert directory_is_free(data)
    with database_started_early(["seed", "--data", str(data)]):
        assert directory_is_free(data)  # only `serve` starts it early
    with database_started_early(["serve", "--store", "neo4j://localhost:1"]):
        pass  # nothing to start for another backend
