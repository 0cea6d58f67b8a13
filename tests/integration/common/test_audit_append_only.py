"""The audit trail of every service holding clinical data is append-only: the service's runtime role
may only read and add entries (privileges refuse the rest, and it owns nothing it could alter), and
even the schema's owner, which holds every privilege, meets the triggers."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from scripts.stack import Postgres, ServiceDatabase
from services.common.outbox import libpq_url
from tests.conftest import migrated_service_database

ROOT = Path(__file__).resolve().parents[3] / "services"
AUDITED = ["appointments", "prescriptions", "profile", "video"]

INSERT = """
INSERT INTO audit_entries (actor_id, actor_role, action, resource_type, resource_id, outcome, request_id, patient_id)
VALUES (gen_random_uuid(), 'DOCTOR', 'READ', 'patient', gen_random_uuid()::text, 'ALLOWED', 'r-1', gen_random_uuid())
"""
CHANGES = [
    "UPDATE audit_entries SET outcome = 'DENIED'",
    "UPDATE audit_entries SET outcome = 'DENIED' WHERE false",
    "DELETE FROM audit_entries",
    "DELETE FROM audit_entries WHERE false",
    "TRUNCATE audit_entries",
]
# What the owner of a table (or a superuser) could do to stop its triggers, or to be rid of it.
ESCAPES = [
    "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update_or_delete",
    "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "DROP TRIGGER audit_entries_no_update_or_delete ON audit_entries",
    "DROP TABLE audit_entries",
    "ALTER TABLE audit_entries RENAME TO old_audit_entries",
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RETURN NULL; END $$",
]


@pytest.fixture(scope="module", params=AUDITED)
def service_database(request: pytest.FixtureRequest, postgres: Postgres) -> ServiceDatabase:
    return migrated_service_database(postgres, f"append_only_{request.param}", ROOT / request.param / "migrations")


@pytest.mark.parametrize("statement", CHANGES)
def test_the_runtime_role_is_refused_any_change_of_an_entry_by_privilege(
    service_database: ServiceDatabase, statement: str
) -> None:
    with psycopg.connect(libpq_url(service_database.runtime_url)) as db:
        db.execute(INSERT)
        db.commit()
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            db.execute(statement)
        assert refused.value.sqlstate == "42501"
        assert "permission denied for table audit_entries" in str(refused.value)


@pytest.mark.parametrize("statement", ESCAPES)
def test_the_runtime_role_can_neither_switch_off_the_triggers_nor_drop_the_trail(
    service_database: ServiceDatabase, statement: str
) -> None:
    with psycopg.connect(libpq_url(service_database.runtime_url)) as db:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute(statement)
        db.rollback()
        assert db.execute("SELECT current_setting('session_replication_role')").fetchone() == ("origin",)
    with psycopg.connect(libpq_url(service_database.admin_url)) as admin:
        triggers = admin.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal"
            " ORDER BY tgname"
        ).fetchall()
    assert triggers == [("audit_entries_no_truncate", "O"), ("audit_entries_no_update_or_delete", "O")]


def test_the_runtime_role_reads_and_adds_entries(service_database: ServiceDatabase) -> None:
    with psycopg.connect(libpq_url(service_database.runtime_url)) as db:
        count = db.execute("SELECT count(*) FROM audit_entries").fetchone()
        db.execute(INSERT)
        db.commit()
        assert db.execute("SELECT count(*) FROM audit_entries").fetchone() == ((count or (0,))[0] + 1,)


def test_the_runtime_role_is_no_superuser_nor_the_owner_and_cannot_make_roles_or_databases(
    service_database: ServiceDatabase,
) -> None:
    with psycopg.connect(libpq_url(service_database.runtime_url)) as db:
        role = db.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert role == (False, False, False, False, False, True)
        owner = db.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entries'").fetchone()
        assert owner is not None
        assert owner[0] != service_database.runtime_role
        member = db.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", owner).fetchone()
        assert member == (False,)


@pytest.mark.parametrize("statement", CHANGES)
def test_even_the_owner_meets_the_triggers(service_database: ServiceDatabase, statement: str) -> None:
    """The owner holds every privilege on its tables (migrations need them): the triggers still
    refuse any change of what the trail holds."""
    with psycopg.connect(libpq_url(service_database.owner_url)) as db:
        db.execute(INSERT)
        db.commit()
        before = db.execute("SELECT * FROM audit_entries ORDER BY id").fetchall()
        with pytest.raises(psycopg.Error, match=r"append-only: (UPDATE|DELETE|TRUNCATE) on audit_entries") as refused:
            db.execute(statement)
        assert refused.value.sqlstate == "PA001"
        db.rollback()
        assert db.execute("SELECT * FROM audit_entries ORDER BY id").fetchall() == before


def test_a_search_without_filters_reads_the_newest_entries_off_an_index(service_database: ServiceDatabase) -> None:
    """The search's order (newest first, by time then id) has an index of its own: a page of the
    newest entries is read off it, not sorted out of the whole trail."""
    with psycopg.connect(libpq_url(service_database.admin_url)) as db:
        db.execute(
            "INSERT INTO audit_entries"
            " (actor_id, actor_role, action, resource_type, resource_id, outcome, request_id, at)"
            " SELECT gen_random_uuid(), 'DOCTOR', 'READ', 'patient', gen_random_uuid()::text, 'ALLOWED', 'r',"
            " now() - n * interval '1 second' FROM generate_series(1, 5000) AS n"
        )
        db.commit()
        db.execute("ANALYZE audit_entries")
        plan = "\n".join(
            row[0]
            for row in db.execute(
                "EXPLAIN SELECT * FROM audit_entries WHERE at <= now() ORDER BY at DESC, id DESC LIMIT 51"
            ).fetchall()
        )
        assert "Index Scan Backward using audit_entries_at" in plan, plan
        assert "Sort" not in plan, plan
