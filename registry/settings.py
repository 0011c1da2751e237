"""Configuration from REGISTRY_* environment variables, built by the app factory, not on import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEFAULT_STORE_URL",
    "DEVELOPMENT_SECRET",
    "MIN_SECRET_BYTES",
    "ConfigurationError",
    "Settings",
    "load_settings",
]

DEFAULT_STORE_URL = "falkordb+embedded://./.registry"
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development
# The secret keys the HMAC that stands for people's ID numbers (person_key): guess a short
# one and every ID number behind a key can be recovered by trying them all.
MIN_SECRET_BYTES = 32
PROJECT_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


class Settings(BaseSettings):
    """Everything the service can be told; secrets refuse their placeholder in production."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    store_url: str = DEFAULT_STORE_URL
    data_dir: Path | None = None
    signing_keys_dir: Path | None = None
    # How often the embedded store fsyncs its append-only file. "always": a write is on disk
    # before anyone is answered (durable before visible); the others answer first and may
    # lose acknowledged writes on a crash or a full disk.
    appendfsync: Literal["always", "everysec", "no"] = "always"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    seeds_dir: Path = PROJECT_SEEDS
    load_seeds_when_empty: bool = True
    max_page_size: int = Field(default=100, ge=1, le=100)
    # The change feed is how partners catch up on millions of changes: larger pages, for keys
    # of partners and operators only.
    max_feed_page_size: int = Field(default=1000, ge=1, le=1000)
    max_query_depth: int = Field(default=10, ge=2)
    max_aliases: int = Field(default=15, ge=1)
    # Fields validation merges into one group (of one name, in one selection set or in all
    # those of one name above): it compares them pairwise, and 490 of them held the one
    # validating thread 0.9 s; 32 take it at most ~30 ms.
    max_merged_fields: int = Field(default=32, ge=2)
    # Fragment definitions in one document: validation compares each pair of those spread
    # side by side, so 220 one-field fragments took it 0.17-0.25 s anonymously (twenty-third
    # session's review); 32 take it ~15 ms.
    max_fragments: int = Field(default=32, ge=1)
    # Fields validation compares pair by pair (``Shape.compared``): 32 alike fragments of ~30
    # fields each took it 0.1-0.8 s a request, under every other limit.
    max_compared_fields: int = Field(default=2_000, ge=10)
    max_tokens: int = Field(default=2000, ge=100)
    # Objects one operation could return at most (pages multiply): 50,000 allows a page of
    # 100 institutions with 100 certificates each, twice over.
    max_query_cost: int = Field(default=50_000, ge=100)
    # Seconds one GraphQL request may run before it is answered 503 REQUEST_TIMEOUT.
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    requests_per_minute: int = Field(default=1200, ge=1)
    public_lookups_per_minute: int = Field(default=60, ge=1)
    response_cache_entries: int = Field(default=20_000, ge=0)
    # What strangers send decides what the caches hold: both are bounded in bytes too.
    response_cache_bytes: int = Field(default=64_000_000, ge=0)
    document_cache_bytes: int = Field(default=64_000_000, ge=0)
    # A connection must have sent a request's headers this many seconds after it opened (or
    # after its previous request began), or it is closed: slow-header clients hold no slot.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    response_cache_refresh_seconds: float = Field(default=0.5, gt=0)
    change_poll_seconds: float = Field(default=0.5, gt=0)  # how often subscriptions look
    max_subscriptions_per_connection: int = Field(default=5, ge=1)
    # Sockets one key may hold open at once in a serving process: each subscription polls,
    # so without a cap a key's load grew with every connection it opened and kept.
    max_sockets_per_key: int = Field(default=20, ge=1)
    # The address people reach the service at (https://registry.example.cn, a path allowed),
    # put into the links that QR codes hold. Unset: the address of the socket a request came
    # in on, never its Host header (which anyone can write, and a printed code lasts years).
    # Behind a proxy or under a name, set it.
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _public_url_is_a_base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address with a host")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must be a plain address: no query, fragment or credentials")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> Settings:
        if self.env != "production":
            return self
        if self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError("REGISTRY_SECRET_KEY must be set in production")
        if len(self.secret) < MIN_SECRET_BYTES:
            raise ValueError(
                f"REGISTRY_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes in production"
            )
        return self

    @property
    def resolved_store_url(self) -> str:
        """``data_dir`` (``--data``) selects an embedded store in that directory."""
        if self.data_dir is not None:
            return f"falkordb+embedded://{self.data_dir.resolve()}?appendfsync={self.appendfsync}"
        if (
            self.store_url.startswith("falkordb+embedded://")
            and "appendfsync=" not in self.store_url
        ):
            joiner = "&" if "?" in self.store_url else "?"
            return f"{self.store_url}{joiner}appendfsync={self.appendfsync}"
        return self.store_url

    @property
    def resolved_signing_keys_dir(self) -> Path:
        """Explicit, else ``signing-keys`` in the embedded store's data directory (``--data``,
        the embedded URL's directory), else ``./.registry/signing-keys``."""
        if self.signing_keys_dir is not None:
            return self.signing_keys_dir.resolve()
        if self.data_dir is not None:
            return (self.data_dir / "signing-keys").resolve()
        parts = urlsplit(self.store_url)
        if parts.scheme == "falkordb+embedded" and (parts.netloc or parts.path):
            return (Path(unquote(parts.netloc + parts.path)) / "signing-keys").resolve()
        return Path(".registry/signing-keys").resolve()

    @property
    def secret(self) -> bytes:
        return self.secret_key.get_secret_value().encode()


class ConfigurationError(ValueError):
    """The configuration cannot be used; the message is one line naming each variable wrong."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and ``overrides``; what is wrong with them becomes one
    ConfigurationError line such as ``REGISTRY_SECRET_KEY must be set in production``, for
    operators, instead of pydantic's report."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(_one_line(exc)) from exc


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        names = [str(part) for part in item["loc"]]
        where = "REGISTRY_" + "_".join(names).upper() if names else ""
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)
