"""The audit trail of every service holding clinical data is append-only, whoever connects: the
service's own connection (which owns the table) can add entries and change none."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from scripts.stack import Postgres
from services.common.db import migrate
from tests.conftest import fresh_database

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


@pytest.fixture(scope="module", params=AUDITED)
def service_database(request: pytest.FixtureRequest, postgres: Postgres) -> str:
    url = fresh_database(postgres, f"append_only_{request.param}")
    migrate(url, ROOT / request.param / "migrations")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.mark.parametrize("statement", CHANGES)
def test_no_entry_can_be_changed_or_removed(service_database: str, statement: str) -> None:
    with psycopg.connect(service_database) as db:
        db.execute(INSERT)
        db.commit()
        before = db.execute("SELECT * FROM audit_entries ORDER BY id").fetchall()
        with pytest.raises(psycopg.Error, match=r"append-only: (UPDATE|DELETE|TRUNCATE) on audit_entries") as refused:
            db.execute(statement)
        assert refused.value.sqlstate == "PA001"
        db.rollback()
        assert db.execute("SELECT * FROM audit_entries ORDER BY id").fetchall() == before


def test_entries_can_be_added(service_database: str) -> None:
    with psycopg.connect(service_database) as db:
        count = db.execute("SELECT count(*) FROM audit_entries").fetchone()
        db.execute(INSERT)
        db.commit()
        assert db.execute("SELECT count(*) FROM audit_entries").fetchone() == ((count or (0,))[0] + 1,)


def test_no_one_but_the_owner_is_granted_changes(service_database: str) -> None:
    with psycopg.connect(service_database) as db:
        granted = db.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants"
            " WHERE table_name = 'audit_entries' AND grantee = 'PUBLIC'"
        ).fetchall()
        assert granted == []
