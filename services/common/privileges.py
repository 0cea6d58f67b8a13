"""What a service's runtime role may do in its database, granted by the owner after every migration run.

Each service's database has two roles: the owner, which owns every schema object and runs the
migrations, and the runtime role the running service connects as (no superuser, not the owner, no
member of it). Not owning a table, the runtime role can neither alter nor drop it, nor disable its
triggers; not a superuser, it cannot set session_replication_role either. What it may do to each
object is decided here, in one place, after the migrations of a run: a table, sequence or function
a migration adds gets the runtime role's privileges without that migration naming any role, and a
database migrated before the roles existed gets them at its next run.
"""

from __future__ import annotations

import sqlalchemy as sa

APPEND_ONLY = ("audit_entries", "stock_transactions")
"""Tables whose rows are never changed nor removed (a service's audit trail, inventory's ledger): the
runtime role may only read and add rows, so UPDATE, DELETE and TRUNCATE are refused by privilege
before any trigger runs, and the triggers that also refuse them are the owner's to keep."""

READ_ONLY = ("alembic_version",)
"""The schema's revision: a service reads it (NOT_SERVING until its schema is at head); only a
migration moves it."""

_TABLES = "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
"""Plain and partitioned tables: only these get rows changed. A view (which could write through to
an append-only table with its owner's rights) or a materialized view is read only."""


def grant_runtime_privileges(connection: sa.Connection, role: str) -> None:
    """Give `role` exactly what a running service may do in the public schema, in the connection's
    transaction: SELECT on every table and view; INSERT, UPDATE and DELETE too on every table but
    the append-only (INSERT only) and read-only ones; USAGE and SELECT on every sequence; EXECUTE on
    every function. Whatever else it held there is revoked, so running it again changes nothing."""
    if role == connection.execute(sa.text("SELECT current_user")).scalar():
        raise ValueError(f"{role} runs the migrations: the service must connect as another role")
    quote = connection.dialect.identifier_preparer.quote
    runtime = quote(role)
    tables = set(connection.execute(sa.text(_TABLES)).scalars())
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {runtime}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {runtime}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {runtime}",
        *(
            f"GRANT {'INSERT' if table in APPEND_ONLY else 'INSERT, UPDATE, DELETE'} ON {quote(table)} TO {runtime}"
            for table in sorted(tables)
            if table not in READ_ONLY
        ),
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {runtime}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {runtime}",
    ]
    for statement in statements:
        connection.execute(sa.text(statement))
