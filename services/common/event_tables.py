"""The outbox and inbox tables every service has in its own database, and their migration."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, UUID

# The channel the first migrations' trigger notified; no relay listens any more (stop_notifying).
OUTBOX_CHANNEL = "pulseone_outbox"

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True, comment="publish order"),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("payload", BYTEA, comment="the event, serialized protobuf"),
    sa.Column(
        "payload_json",
        JSONB,
        comment="the event in the proto3 JSON mapping, for events written by SQL (the relay encodes them)",
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Index("outbox_unsent", "seq", postgresql_where=sa.text("sent_at IS NULL")),
    sa.Index("outbox_sent_at", "sent_at"),
    sa.CheckConstraint("(payload IS NULL) <> (payload_json IS NULL)", name="outbox_one_payload"),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def create_event_tables() -> None:
    """For a service's first migration: the tables, and the trigger that woke the relay then (later
    dropped by `stop_notifying`)."""
    # The tables as they were first made; later shapes are later migrations (add_json_payloads).
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True, comment="publish order"),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", BYTEA, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("outbox_unsent", "outbox", ["seq"], postgresql_where=sa.text("sent_at IS NULL"))
    op.create_index("outbox_sent_at", "outbox", ["sent_at"])
    op.create_table(
        "inbox",
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    _create_outbox_notify()


def add_json_payloads() -> None:
    """Let SQL write events (a PL/pgSQL function that records its change and its event in one round
    trip): the event may be stored as proto3 JSON, which the relay encodes before publishing."""
    op.alter_column("outbox", "payload", nullable=True, comment="the event, serialized protobuf")
    op.add_column(
        "outbox",
        sa.Column(
            "payload_json",
            JSONB,
            comment="the event in the proto3 JSON mapping, for events written by SQL (the relay encodes them)",
        ),
    )
    # NOT VALID first: adding it takes no long lock over the rows already kept; validating scans them
    # under a lock that lets writes go on.
    op.execute(
        "ALTER TABLE outbox ADD CONSTRAINT outbox_one_payload CHECK ((payload IS NULL) <> (payload_json IS NULL))"
        " NOT VALID"
    )
    op.execute("ALTER TABLE outbox VALIDATE CONSTRAINT outbox_one_payload")


def drop_json_payloads() -> None:
    op.drop_constraint("outbox_one_payload", "outbox", type_="check")
    op.drop_column("outbox", "payload_json")
    op.alter_column("outbox", "payload", nullable=False, comment=None)


def drop_event_tables() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")
    metadata.drop_all(op.get_bind())


def _create_outbox_notify() -> None:
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


def stop_notifying() -> None:
    """Drop the trigger that sent NOTIFY with every outbox insert. A transaction that notified took,
    at commit, a lock that serialises every such commit in the database (97% of backends waited on it
    in a booking storm); the relay polls adaptively instead, nudged by writes in its own process."""
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")


def notify_again() -> None:
    _create_outbox_notify()
