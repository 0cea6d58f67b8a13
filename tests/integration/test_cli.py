"""`pulseone serve` and `pulseone migrate <service>`, as the container image runs them, on real PostgreSQL and NATS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from scripts.platform import health_status
from scripts.stack import Nats, Postgres, free_port, wait_until
from services.auth.app import MIGRATIONS
from services.common.db import head_revision
from tests.conftest import fresh_database, fresh_service_database, migrated_service_database, page_token_key

# The console script itself: the image's ENTRYPOINT.
PULSEONE = str(Path(sys.executable).parent / "pulseone")


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_migrate_one_service_brings_the_database_it_is_given_to_head(postgres: Postgres) -> None:
    url = fresh_database(postgres, "cli_migrate")
    env = {**os.environ, "PULSEONE_DATABASE_URL": url}
    first = subprocess.run([PULSEONE, "migrate", "auth"], env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert _revision(url) == head_revision(MIGRATIONS)
    again = subprocess.run([PULSEONE, "migrate", "auth"], env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"at {head_revision(MIGRATIONS)}" in again.stdout


def test_migrate_one_service_runs_as_the_owner_and_grants_the_services_role(postgres: Postgres) -> None:
    """The chart's migration Job: the owner's URL to migrate with, the service's own to grant."""
    database = fresh_service_database(postgres, "cli_roles")
    env = {
        **os.environ,
        "PULSEONE_DATABASE_URL": database.runtime_url,
        "PULSEONE_MIGRATION_DATABASE_URL": database.owner_url,
    }
    migrated = subprocess.run([PULSEONE, "migrate", "auth"], env=env, capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stderr
    assert f"at {head_revision(MIGRATIONS)}, {database.runtime_role} granted" in migrated.stdout
    assert _revision(database.runtime_url) == head_revision(MIGRATIONS)
    engine = sa.create_engine(database.admin_url)
    try:
        with engine.connect() as connection:
            owners = sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            assert connection.execute(owners).scalars().all() == [f"{database.name}_owner"]
    finally:
        engine.dispose()


@pytest.fixture
def auth_env(postgres: Postgres, nats_server: Nats, tmp_path: Path) -> dict[str, str]:
    """What the chart gives the auth container: its database (migrated, as the Job does), NATS, keys."""
    database = migrated_service_database(postgres, "cli_serve", MIGRATIONS)
    return {
        **os.environ,
        "PULSEONE_DATABASE_URL": database.runtime_url,
        "PULSEONE_NATS_URL": nats_server.url,
        "PULSEONE_PORT": str(free_port()),
        "PULSEONE_KEY_RING_FILE": str(tmp_path / "key-ring.json"),
        "PULSEONE_CREATE_KEY_RING": "true",
        "PULSEONE_PAGE_TOKEN_KEY_FILE": str(page_token_key()),
        "PULSEONE_EVENT_CONSUMER": f"auth-{uuid.uuid4().hex[:8]}",
    }


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_runs_a_service_until_it_is_signalled_then_stops_cleanly(
    auth_env: dict[str, str], tmp_path: Path, stop: signal.Signals
) -> None:
    log = tmp_path / "auth.log"
    with log.open("wb") as out:
        service = subprocess.Popen([PULSEONE, "serve", "auth"], env=auth_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        address = f"127.0.0.1:{auth_env['PULSEONE_PORT']}"

        def serving() -> bool:
            assert service.poll() is None, log.read_text()
            return health_status(address, "pulseone.auth.v1.AuthService") == "SERVING"

        wait_until(serving, 60, "pulseone serve auth")
        service.send_signal(stop)
        assert service.wait(timeout=10) == 0, log.read_text()
    finally:
        service.kill()
        service.wait()
    assert '"stopped"' in log.read_text()


def _pid_namespace_allowed() -> bool:
    try:
        return subprocess.run(["unshare", "--pid", "--fork", "true"], capture_output=True, check=False).returncode == 0
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not _pid_namespace_allowed(), reason="needs unshare --pid (root or user namespaces)")
@pytest.mark.parametrize("after", [0.05, 0.5, 1.5])
def test_as_pid_1_serve_stops_on_a_sigterm_that_comes_while_it_is_still_starting(
    auth_env: dict[str, str], after: float
) -> None:
    """In a container the command is PID 1: the kernel drops signals PID 1 has no handler for, so a
    SIGTERM during the imports used to be ignored until the kubelet's SIGKILL."""
    unshare = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--kill-child", PULSEONE, "serve", "auth"],
        env=auth_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def pid_1() -> int | None:
            found = subprocess.run(["pgrep", "-P", str(unshare.pid)], capture_output=True, text=True, check=False)
            return int(found.stdout.split()[0]) if found.stdout.strip() else None

        wait_until(lambda: pid_1() is not None, 10, "the command as PID 1 of its namespace")
        time.sleep(after)
        pid = pid_1()
        assert pid is not None
        os.kill(pid, signal.SIGTERM)  # from outside the namespace, as the container runtime sends it
        assert unshare.wait(timeout=10) in (0, 128 + signal.SIGTERM)
    finally:
        unshare.kill()
        unshare.wait()


def test_serve_exits_non_zero_naming_a_missing_setting() -> None:
    env = {name: value for name, value in os.environ.items() if name != "PULSEONE_DATABASE_URL"}
    result = subprocess.run([PULSEONE, "serve", "auth"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "PULSEONE_DATABASE_URL" in result.stderr


def test_admin_create_writes_to_the_auth_database_it_is_given_whatever_its_name(postgres: Postgres) -> None:
    """In the auth container the database is the pod's own (an operator's `app`, say), not `authdb`,
    reached as the service's runtime role."""
    url = migrated_service_database(postgres, "app", MIGRATIONS).runtime_url
    email = f"first-admin-{uuid.uuid4().hex[:6]}@example.org"
    env = {**os.environ, "PULSEONE_ADMIN_PASSWORD": "SecurePass123"}
    created = subprocess.run(
        [PULSEONE, "admin", "create", "--email", email, "--database-url", url],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            role = connection.execute(sa.text("SELECT role FROM users WHERE email = :email"), {"email": email}).scalar()
    finally:
        engine.dispose()
    assert role == "SYSTEM_ADMIN"
