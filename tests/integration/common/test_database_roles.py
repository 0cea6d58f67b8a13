"""Each service's database has an owner, which runs the migrations, and a runtime role, which the
service connects as and which is granted after each migration run exactly what a service may do."""

from __future__ import annotations

import shutil
import stat
import uuid
from pathlib import Path

import psycopg
import pytest

from scripts.stack import Postgres, ServiceDatabase, create_databases, database_url, provision_database
from services.auth.app import MIGRATIONS
from services.common.db import head_revision, migrate
from services.common.outbox import libpq_url
from tests.conftest import fresh_service_database, migrated_service_database, scratch_dir

ROOT = Path(__file__).resolve().parents[3] / "services"

# A migration of a later release, which names no role.
LATER_MIGRATION = '''"""A table of a later release."""

from alembic import op

revision = "later"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE later_things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)")
    op.execute("CREATE FUNCTION later_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM later_things'")
    op.execute("CREATE VIEW later_names AS SELECT id, name FROM later_things")


def downgrade() -> None:
    op.execute("DROP VIEW later_names; DROP FUNCTION later_count(); DROP TABLE later_things")
'''


def owners(url: str) -> set[str]:
    """The owners of the tables, sequences and functions of the public schema."""
    with psycopg.connect(libpq_url(url)) as db:
        relations = db.execute(
            "SELECT relowner::regrole::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            " AND relkind IN ('r', 'S', 'v')"
        ).fetchall()
        functions = db.execute(
            "SELECT proowner::regrole::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
        ).fetchall()
    return {owner for (owner,) in relations + functions}


@pytest.fixture(scope="module")
def auth_database(postgres: Postgres) -> ServiceDatabase:
    return migrated_service_database(postgres, "roles_auth", MIGRATIONS)


def test_the_owner_owns_every_object_the_migrations_made(auth_database: ServiceDatabase) -> None:
    assert owners(auth_database.admin_url) == {auth_database.name + "_owner"}


def test_the_runtime_role_reads_the_schema_revision_and_cannot_move_it(auth_database: ServiceDatabase) -> None:
    with psycopg.connect(libpq_url(auth_database.runtime_url)) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(MIGRATIONS),)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("UPDATE alembic_version SET version_num = '0001'")


def test_the_runtime_role_changes_rows_but_not_the_schema(auth_database: ServiceDatabase) -> None:
    with psycopg.connect(libpq_url(auth_database.runtime_url), autocommit=True) as db:
        db.execute("DELETE FROM inbox WHERE false")
        db.execute("UPDATE outbox SET sent_at = now() WHERE false")
        for statement in (
            "CREATE TABLE mine (id int)",
            "CREATE TEMP TABLE mine (id int)",
            "ALTER TABLE outbox ADD COLUMN extra int",
            "CREATE INDEX CONCURRENTLY outbox_extra ON outbox (seq)",
            "TRUNCATE inbox",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(statement)


def test_no_other_role_may_connect(postgres: Postgres, auth_database: ServiceDatabase) -> None:
    """Another service's runtime role is refused at the door of this service's database."""
    other = fresh_service_database(postgres, "roles_other")
    stranger = database_url(libpq_url(other.runtime_url), auth_database.name)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(stranger).close()


def test_a_later_migration_naming_no_role_is_granted_to_the_runtime_role(postgres: Postgres, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    database = migrated_service_database(postgres, "roles_later", migrations)
    (migrations / "versions" / "9999_later.py").write_text(LATER_MIGRATION.format(head=head_revision(MIGRATIONS)))

    assert migrate(database.owner_url, migrations, runtime_role=database.runtime_role) == "later"

    with psycopg.connect(libpq_url(database.runtime_url)) as db:
        db.execute("INSERT INTO later_things (name) VALUES ('a')")
        db.execute("UPDATE later_things SET name = 'b'")
        assert db.execute("SELECT later_count()").fetchone() == (1,)
        assert db.execute("SELECT name FROM later_names").fetchall() == [("b",)]
        db.execute("DELETE FROM later_things")
    # A view writes through with its owner's rights: the runtime role only reads it.
    with psycopg.connect(libpq_url(database.runtime_url)) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute("INSERT INTO later_names (name) VALUES ('through the view')")


def test_the_inventory_ledger_is_append_only_by_privilege_too(postgres: Postgres) -> None:
    database = migrated_service_database(postgres, "roles_inventory", ROOT / "inventory" / "migrations")
    with psycopg.connect(libpq_url(database.runtime_url)) as db:
        db.execute("SELECT count(*) FROM stock_transactions")
        for statement in (
            "UPDATE stock_transactions SET quantity = 1 WHERE false",
            "DELETE FROM stock_transactions WHERE false",
            "TRUNCATE stock_transactions",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), db.transaction():
                db.execute(statement)


def test_a_database_migrated_before_it_had_roles_is_handed_to_its_owner(postgres: Postgres) -> None:
    """A local stack made by an earlier release: the superuser owned and migrated everything."""
    name = f"roles_legacy_{uuid.uuid4().hex[:8]}"
    create_databases(postgres.url(), [name])
    migrate(database_url(postgres.url(), name), MIGRATIONS)
    passwords = scratch_dir("pulseone-legacy-roles-")

    database = provision_database(postgres.url(), name, passwords)
    migrate(database.owner_url, MIGRATIONS, runtime_role=database.runtime_role)

    assert owners(database.admin_url) == {f"{name}_owner"}
    with psycopg.connect(database.runtime_url) as db:
        assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)
    assert provision_database(postgres.url(), name, passwords) == database  # again: the same roles and passwords
    for role in (f"{name}_owner", f"{name}_runtime"):
        assert stat.S_IMODE((passwords / role).stat().st_mode) == 0o600


def test_the_role_that_migrates_is_not_stripped_of_its_own_privileges(auth_database: ServiceDatabase) -> None:
    owner = auth_database.name + "_owner"
    with pytest.raises(ValueError, match="must connect as another role"):
        migrate(auth_database.owner_url, MIGRATIONS, runtime_role=owner)


def test_provisioning_again_never_resets_a_password_another_state_holds(postgres: Postgres) -> None:
    """Two state directories on one server: the second, whose password files are not new, finds the
    roles made and leaves their passwords as they are, so the first keeps connecting."""
    name = f"roles_shared_{uuid.uuid4().hex[:8]}"
    first = provision_database(postgres.url(), name, scratch_dir("pulseone-first-roles-"))
    second_passwords = scratch_dir("pulseone-second-roles-")
    (second_passwords / f"{name}_runtime").write_text("the second state's own\n")
    (second_passwords / f"{name}_owner").write_text("the second state's own too\n")

    provision_database(postgres.url(), name, second_passwords)

    with psycopg.connect(first.runtime_url) as db:
        assert db.execute("SELECT current_user").fetchone() == (f"{name}_runtime",)
