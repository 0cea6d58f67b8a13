"""The Alembic environment every service's migrations/env.py delegates to."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context


def run_migrations() -> None:
    """Run online against the connection `db.migrate` hands over, or one made from the URL."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        context.configure(connection=fresh, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
