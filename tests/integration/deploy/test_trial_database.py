"""The chart's trial PostgreSQL: its first-start script, as the chart renders it, run on a real
PostgreSQL, makes each service's database with an owner and a runtime role; the migration Jobs'
URLs migrate as the owner and the services' URLs reach the database as the runtime role."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import helm_python
import psycopg
import pytest
import yaml

from scripts.platform import SERVICES, service_spec
from scripts.stack import Postgres, free_port
from services.common.config import DatabaseSettings
from services.common.db import migrate
from services.common.outbox import libpq_url
from tests.conftest import scratch_dir

CHART = Path(__file__).resolve().parents[3] / "deploy" / "helm" / "pulseone"
RELEASE = "pulseone"
SERVER = f"@{RELEASE}-postgresql:5432/"
AUDITED = ["appointments", "prescriptions", "profile", "video"]


@dataclass(frozen=True)
class TrialDatabase:
    """The script and what the chart's Secret holds, the URLs moved to a server on this machine."""

    script: str
    environment: dict[str, str]
    """The StatefulSet's variables from the databases Secret (the roles' passwords)."""
    secret: dict[str, str]


def chart_trial_database(port: int) -> TrialDatabase:
    rendered = helm_python.Chart.load(CHART).render({}, name=RELEASE, namespace="clinic")
    manifests = [
        manifest
        for path in ("postgresql.yaml", "secret-databases.yaml")
        for manifest in yaml.safe_load_all(rendered[f"pulseone/templates/{path}"])
        if manifest
    ]
    (config,) = [m for m in manifests if m["kind"] == "ConfigMap"]
    (secret,) = [m for m in manifests if m["kind"] == "Secret"]
    (statefulset,) = [m for m in manifests if m["kind"] == "StatefulSet"]
    data = {
        key: base64.b64decode(value).decode().replace(SERVER, f"@127.0.0.1:{port}/")
        for key, value in secret["data"].items()
    }
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    environment = {
        variable["name"]: data[variable["valueFrom"]["secretKeyRef"]["key"]]
        for variable in container["env"]
        if "valueFrom" in variable and variable["name"] != "POSTGRES_PASSWORD"
    }
    return TrialDatabase(config["data"]["create-databases.sh"], environment, data)


@pytest.fixture(scope="module")
def trial() -> Iterator[tuple[Postgres, TrialDatabase]]:
    """A PostgreSQL of its own (the script makes databases of fixed names), initialised as the
    official image does on a volume's first start: the script sourced by a shell, as the superuser."""
    root = scratch_dir("pulseone-trial-pg-")
    server = Postgres(root / "postgres", port=free_port(), durable=False)
    server.start()
    try:
        database = chart_trial_database(server.port)
        script = root / "create-databases.sh"
        script.write_text(database.script)
        environment = {
            **os.environ,
            **database.environment,
            "PATH": f"{server.bin}{os.pathsep}{os.environ['PATH']}",
            "POSTGRES_USER": server.user,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(server.port),
            "PGPASSWORD": server.password,
        }
        # The entrypoint runs with `set -Eeo pipefail` and sources each *.sh it finds.
        subprocess.run(["bash", "-Eeo", "pipefail", "-c", f". {script}"], env=environment, check=True)
        yield server, database
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def migrated_as_the_job(database: TrialDatabase, service: str, monkeypatch: pytest.MonkeyPatch) -> DatabaseSettings:
    """What the service's migration Job does with the chart's Secret: read its settings, migrate as
    the owner and grant the runtime role. Returns those settings."""
    with monkeypatch.context() as patch:
        for variable in [v for v in os.environ if v.startswith("PULSEONE_")]:
            patch.delenv(variable)
        patch.setenv("PULSEONE_DATABASE_URL", database.secret[service])
        patch.setenv("PULSEONE_MIGRATION_DATABASE_URL", database.secret[f"{service}-migration"])
        settings = DatabaseSettings()
    migrate(settings.migration_url, service_spec(service).migrations, runtime_role=settings.runtime_role)
    return settings


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_each_service_migrates_as_its_owner_and_connects_as_its_runtime_role(
    trial: tuple[Postgres, TrialDatabase], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, database = trial
    settings = migrated_as_the_job(database, service, monkeypatch)
    with psycopg.connect(libpq_url(settings.database_url)) as db:
        role = db.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert role == (f"{service}db_runtime", False, False, False)
        owners = db.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert owners == [(f"{service}db_owner",)]
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("CREATE TABLE mine (id int)")


@pytest.mark.parametrize("service", AUDITED)
def test_the_audit_trail_is_append_only_for_the_runtime_role(
    trial: tuple[Postgres, TrialDatabase], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, database = trial
    settings = migrated_as_the_job(database, service, monkeypatch)
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as db:
        db.execute(
            "INSERT INTO audit_entries (actor_role, action, resource_type, resource_id, outcome, request_id)"
            " VALUES ('DOCTOR', 'READ', 'patient', 'x', 'ALLOWED', 'r')"
        )
        for statement in (
            "UPDATE audit_entries SET outcome = 'DENIED'",
            "DELETE FROM audit_entries",
            "TRUNCATE audit_entries",
            "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(statement)


def test_a_services_role_cannot_reach_another_services_database(trial: tuple[Postgres, TrialDatabase]) -> None:
    _, database = trial
    stranger = database.secret["video"].rsplit("/", 1)[0] + "/authdb"
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(stranger).close()
