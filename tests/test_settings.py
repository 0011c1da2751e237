"""Settings refuse, outside development, what would make the service unsafe to run."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from registry.settings import DEVELOPMENT_SECRET, MIN_SECRET_BYTES, Settings


@pytest.mark.parametrize(
    "secret",
    ["", "short", "x" * (MIN_SECRET_BYTES - 1), DEVELOPMENT_SECRET],
    ids=["empty", "short", "one-byte-short", "placeholder"],
)
def test_production_refuses_a_missing_short_or_placeholder_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="REGISTRY_SECRET_KEY"):
        Settings(env="production", secret_key=secret)


def test_the_length_is_counted_in_bytes() -> None:
    # 11 characters of three bytes each: 33 bytes.
    assert Settings(env="production", secret_key="密" * 11).secret == "密".encode() * 11
    with pytest.raises(ValidationError):
        Settings(env="production", secret_key="密" * 10)  # 30 bytes


def test_production_takes_a_secret_of_thirty_two_bytes() -> None:
    assert len(Settings(env="production", secret_key="k" * MIN_SECRET_BYTES).secret) == 32


def test_the_production_secret_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGISTRY_ENV", "production")
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "too-short")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings()


@pytest.mark.parametrize("env", ["development", "test"])
def test_other_environments_take_any_secret(env: str) -> None:
    assert Settings(env=env, secret_key="short").secret == b"short"  # type: ignore[arg-type]
