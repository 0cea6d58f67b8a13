"""Typed settings from the environment (prefix PULSEONE_), failing fast with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _async_driver(value: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    if not value.startswith("postgresql+psycopg://"):
        raise ValueError("must be a postgresql:// URL")
    return value


def _user_of(url: str) -> str | None:
    user = urlsplit(url).username
    return None if user is None else unquote(user)


class DatabaseSettings(BaseSettings):
    """A service's own database, as the running service reaches it and as its migrations do."""

    model_config = SettingsConfigDict(env_prefix="PULSEONE_", extra="ignore", frozen=True)

    database_url: str = Field(
        description="SQLAlchemy URL of this service's own database, as the role the running service connects as"
    )
    migration_database_url: str | None = Field(
        None,
        description="the same database as the role that owns its schema and runs its migrations (`pulseone "
        "migrate`), which then grants database_url's role what a service may do; unset: database_url",
    )

    @field_validator("database_url")
    @classmethod
    def _psycopg(cls, value: str) -> str:
        return _async_driver(value)

    @field_validator("migration_database_url")
    @classmethod
    def _psycopg_when_set(cls, value: str | None) -> str | None:
        """An empty value (an optional Secret key that is missing) is no value."""
        return _async_driver(value) if value else None

    @property
    def migration_url(self) -> str:
        """Where migrations run: the owner's URL, else (a deployment with one role) the service's own."""
        return self.migration_database_url or self.database_url

    @property
    def runtime_role(self) -> str | None:
        """The role the service connects as, when migrations run as another one; None otherwise."""
        runtime = _user_of(self.database_url)
        if self.migration_database_url is None or runtime == _user_of(self.migration_database_url):
            return None
        return runtime


class ServiceSettings(DatabaseSettings):
    """What every service needs; each service subclasses it with its own defaults and extras."""

    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS server(s), comma-separated")
    host: str = Field("127.0.0.1", description="address the gRPC server binds")
    port: int = Field(description="gRPC port; 0 picks a free one")
    auth_address: str = Field("127.0.0.1:8081", description="auth service gRPC address, for the JWKS")
    jwt_issuer: str = "pulseone-auth"
    jwt_audience: str = "pulseone"
    log_level: str = "INFO"
    metrics_port: int | None = Field(
        None, ge=0, le=65535, description="port of the Prometheus metrics (/metrics); unset: not served; 0: any free"
    )
    db_pool_size: int = Field(10, ge=1, le=100)
    shutdown_grace_seconds: float = Field(5.0, ge=0)
    call_deadline_seconds: float = Field(
        15.0,
        gt=0,
        le=300,
        description="the most time one call (a unary RPC) may take in this service before it is answered "
        "DEADLINE_EXCEEDED; a caller's own shorter deadline applies as it is",
    )
    health_interval_seconds: float = Field(2.0, gt=0)
    event_max_deliver: int = Field(5, ge=1, description="deliveries before an event goes to the dead letters")
    event_ack_wait_seconds: float = Field(30.0, gt=0)
    stream_replicas: int = Field(
        1, ge=1, le=5, description="NATS servers that keep each stream (3 in a NATS cluster; 1 on one server)"
    )
    event_consumer: str = Field("", description="durable consumer name; default: the service name")
    page_token_key_file: Path = Field(
        Path(".pulseone/keys/page-token.key"),
        description="the key that signs page tokens (a secret every replica of a service shares)",
    )
    gateway_secret: SecretStr | None = Field(
        None,
        min_length=32,
        description="shared with the gateway, which sends it on every call it forwards; only such calls "
        "are believed about the client's address (X-Forwarded-For). Unset: no call is",
    )


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Read settings or exit at once, naming every missing or invalid variable."""
    try:
        return cls()
    except ValidationError as error:
        prefix = cls.model_config.get("env_prefix", "")
        lines = [f"invalid configuration for {cls.__name__}:"]
        for problem in error.errors():
            name = prefix + "_".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"  {name}: {problem['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
