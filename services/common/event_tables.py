"""The outbox and inbox tables every service has in its own database, and their migration."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, UUID

OUTBOX_CHANNEL = "pulseone_outbox"

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True, comment="publish order"),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("payload", BYTEA, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Index("outbox_unsent", "seq", postgresql_where=sa.text("sent_at IS NULL")),
    sa.Index("outbox_sent_at", "sent_at"),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def create_event_tables() -> None:
    """For a service's first migration: the tables, and a trigger that wakes the relay on commit."""
    bind = op.get_bind()
    metadata.create_all(bind)
    op.execute(
        f"""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('{OUTBOX_CHANNEL}', '');
          RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
          FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
        """
    )


def drop_event_tables() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")
    metadata.drop_all(op.get_bind())
