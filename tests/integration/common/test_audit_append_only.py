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


def test_a_search_without_filters_reads_the_newest_entries_off_an_index(service_database: str) -> None:
    """The search's order (newest first, by time then id) has an index of its own: a page of the
    newest entries is read off it, not sorted out of the whole trail."""
    with psycopg.connect(service_database) as db:
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
