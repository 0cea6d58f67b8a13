"""The outbox and inbox tables every service has in its own database, and their migration."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, UUID

# The channel the first migrations' trigger notified; no relay listens any more (stop_notifying).
OUTBOX_CHANNEL = "pulseone_outbox"

# The W3C trace context (traceparent, tracestate) of what wrote an event, sent in its NATS headers.
# Python writes it with the row; a SQL function that writes events (the booking, the stock
# functions) gets it as a parameter and sets this transaction-local setting, which the column's
# default reads: so the functions that write events need no new version each, and a row written
# without a context (tracing off, or an older release's call) gets NULL.
TRACE_CONTEXT_SETTING = "pulseone.trace_context"
TRACE_CONTEXT_DEFAULT = f"CAST(nullif(current_setting('{TRACE_CONTEXT_SETTING}', true), '') AS jsonb)"
TRACE_CONTEXT_COMMENT = "W3C trace context of what wrote the event (traceparent, tracestate); NULL: not traced"

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
    sa.Column(
        "trace_context",
        JSONB,
        server_default=sa.text(TRACE_CONTEXT_DEFAULT),
        comment=TRACE_CONTEXT_COMMENT,
    ),
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


def add_trace_contexts() -> None:
    """The outbox keeps the trace context an event is sent with. Nullable, and its default reads a
    setting that is unset unless a traced call sets it, so adding it rewrites no row, and the
    previous release's writes (which name no such column) go on as before."""
    op.add_column("outbox", sa.Column("trace_context", JSONB, comment=TRACE_CONTEXT_COMMENT))
    # Set apart from the column's creation: the rows already kept stay NULL, and nothing is rewritten.
    op.alter_column("outbox", "trace_context", server_default=sa.text(TRACE_CONTEXT_DEFAULT))


def drop_trace_contexts() -> None:
    op.drop_column("outbox", "trace_context")


def traced_overload(name: str, parameters: str, arguments: str, returns: str, *, returns_set: bool = False) -> str:
    """A new version of a SQL function that writes events: the old one's parameters and a trailing
    `p_trace_context jsonb`, which it sets for the outbox rows the old one writes (see
    TRACE_CONTEXT_DEFAULT), then runs the old one. An overload rather than a replacement, so the
    previous release's calls still find the old one during a rollout; calls without a context go
    on calling the old one and pay nothing for tracing."""
    call = f"{name}({arguments})"
    result = f"RETURN QUERY SELECT * FROM {call}" if returns_set else f"v_result := {call}"  # noqa: S608 - a migration's DDL
    declare = "" if returns_set else f"DECLARE v_result {returns};"
    ending = "" if returns_set else "RETURN v_result;"
    return f"""
CREATE FUNCTION {name}({parameters}, p_trace_context jsonb) RETURNS {returns} LANGUAGE plpgsql AS $$
{declare}
BEGIN
    PERFORM set_config('{TRACE_CONTEXT_SETTING}', coalesce(p_trace_context::text, ''), true);
    {result};
    -- Only this call's events carry it, whatever else the transaction writes afterwards.
    PERFORM set_config('{TRACE_CONTEXT_SETTING}', '', true);
    {ending}
END $$;
"""


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
