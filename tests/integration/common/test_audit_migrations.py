"""The migrations that made each audit trail append-only can be run again after an attempt that
stopped part-way: their index is built CONCURRENTLY, outside the migration's transaction, so a build
that failed leaves the column and the triggers committed and the revision not recorded."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from scripts.stack import Postgres
from services.common.db import migrate
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[3] / "services"
AUDITED = ["appointments", "prescriptions", "profile", "video"]


def _revision_before_append_only(service: str) -> str:
    (path,) = (ROOT / service / "migrations" / "versions").glob("*_append_only_audit_with_patients.py")
    line = next(line for line in path.read_text().splitlines() if line.startswith("down_revision = "))
    return line.split("=", 1)[1].strip().strip('"')


@pytest.mark.parametrize("service", AUDITED)
def test_an_append_only_migration_stopped_at_its_index_runs_again(postgres: Postgres, service: str) -> None:
    url = fresh_database(postgres, f"audit_again_{service}")
    migrations = ROOT / service / "migrations"
    head = migrate(url, migrations)
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as db:
        # What a failed concurrent build leaves: the transactional part done, an invalid index of
        # that name, the revision before still recorded (and the later search index not built).
        db.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'audit_entries_patient'::regclass")
        db.execute("DROP INDEX audit_entries_at")
        db.execute("UPDATE alembic_version SET version_num = %s", (_revision_before_append_only(service),))

    assert migrate(url, migrations) == head

    with psycopg.connect(plain) as db:
        version = db.execute("SELECT version_num FROM alembic_version").fetchone()
        triggers = db.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal"
        ).fetchone()
        valid = db.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'audit_entries'::regclass AND i.indisvalid ORDER BY 1"
        ).fetchall()
    assert version == (head,)
    assert triggers == (2,)
    assert {"audit_entries_patient", "audit_entries_at"} <= {name for (name,) in valid}
