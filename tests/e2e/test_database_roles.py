"""The platform's services connect to their databases as least-privilege roles: the database URL a
service process is given can read and add audit entries but cannot change them, switch off the
trail's triggers or alter the schema, which the migrations made as its owner."""

from __future__ import annotations

import psycopg
import pytest

from scripts.platform import SERVICES, Platform, service_spec
from scripts.stack import database_url

AUDITED = ["appointments", "prescriptions", "profile", "video"]


def service_url(platform: Platform, service: str) -> str:
    """The database URL the platform gives the service's processes."""
    return platform.service_env(service_spec(service))["PULSEONE_DATABASE_URL"]


def admin_url(platform: Platform, service: str) -> str:
    return database_url(platform.server_url(), service_spec(service).database)


@pytest.mark.parametrize("service", AUDITED)
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "UPDATE audit_entries SET outcome = 'DENIED' WHERE false",
        "DELETE FROM audit_entries WHERE false",
        "TRUNCATE audit_entries",
        "DROP TABLE audit_entries",
    ],
)
def test_a_services_own_connection_cannot_change_or_unprotect_its_audit_trail(
    platform: Platform, service: str, statement: str
) -> None:
    with psycopg.connect(service_url(platform, service)) as db:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute(statement)
        db.rollback()
        assert db.execute("SELECT count(*) >= 0 FROM audit_entries").fetchone() == (True,)


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_service_runs_as_its_runtime_role_on_a_schema_its_owner_made(platform: Platform, service: str) -> None:
    database = service_spec(service).database
    with psycopg.connect(admin_url(platform, service)) as admin:
        owners = admin.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
        # The services' pools are open (every service is SERVING): who they are connected as.
        users = admin.execute(
            "SELECT DISTINCT usename FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    assert owners == [(f"{database}_owner",)]
    assert users == [(f"{database}_runtime",)]
