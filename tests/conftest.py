"""Fixtures that start real PostgreSQL and NATS servers on free ports for the whole test session."""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import Nats, Postgres, ServiceDatabase, create_databases, database_url, free_port, provision_database
from services.common.db import migrate
from services.common.pagination import create_page_token_key


def scratch_dir(prefix: str) -> Path:
    """A temporary directory the `postgres` system user can traverse (PostgreSQL refuses root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@functools.cache
def page_token_key() -> Path:
    """The page-token key of every service the tests start in-process (made once per session)."""
    path = scratch_dir("pulseone-page-token-") / "page-token.key"
    create_page_token_key(path)
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    root = scratch_dir("pulseone-test-pg-")
    server = Postgres(root / "postgres", port=free_port(), durable=False)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_server() -> Iterator[Nats]:
    root = scratch_dir("pulseone-test-nats-")
    server = Nats(root, port=free_port(), monitor_port=free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_database(postgres: Postgres, prefix: str) -> str:
    """A new, empty database on the session's server; returns its SQLAlchemy URL (as the superuser)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    create_databases(postgres.url(), [name])
    return _psycopg(database_url(postgres.url(), name))


@functools.cache
def role_passwords() -> Path:
    """Where the passwords of the tests' database roles are kept (made once per session)."""
    return scratch_dir("pulseone-role-passwords-")


def fresh_service_database(postgres: Postgres, prefix: str) -> ServiceDatabase:
    """A new, empty database on the session's server with its owner and runtime roles, as the local
    stack makes a service's: migrate it as the owner, run the service as the runtime role, and seed
    or inspect rows as the superuser (`admin_url`). SQLAlchemy URLs."""
    database = provision_database(postgres.url(), f"{prefix}_{uuid.uuid4().hex[:8]}", role_passwords())
    return dataclasses.replace(
        database,
        admin_url=_psycopg(database.admin_url),
        owner_url=_psycopg(database.owner_url),
        runtime_url=_psycopg(database.runtime_url),
    )


def migrated_service_database(postgres: Postgres, prefix: str, migrations: Path) -> ServiceDatabase:
    """A fresh service database migrated to head as its owner, its runtime role granted."""
    database = fresh_service_database(postgres, prefix)
    migrate(database.owner_url, migrations, runtime_role=database.runtime_role)
    return database


@pytest.fixture(autouse=True, scope="session")
def _no_proxy() -> None:
    # httpx honours proxy variables; everything in the tests is on loopback.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(name, None)
