"""The audit trail of clinical data: who read or changed what, when, and with what outcome (SPEC 5).

What a method records is declared once, in its `pulseone.authz.v1.rule` option (`audit`), and the
interceptor records every call of such a method by a signed-in user, whatever its outcome, before
the reply leaves: no clinical route can forget it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from google.protobuf.message import Message
from pulseone.authz.v1 import authz_pb2
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.context import Principal
from services.common.errors import (
    DeadlineExceeded,
    DomainError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from services.common.pagination import BigInt, Keyset, Page, PageTokens

log = logging.getLogger("pulseone.audit")

metadata = sa.MetaData()

PATIENT_COMMENT = "the patient whose data the entry's resource is, when the call made it known"

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("actor_id", UUID(as_uuid=True)),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("resource_type", sa.Text, nullable=False),
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("call_id", UUID(as_uuid=True), comment="the entries of one call share it (STARTED, then its outcome)"),
    sa.Column("patient_id", UUID(as_uuid=True), comment=PATIENT_COMMENT),
    sa.Index("audit_entries_resource", "resource_type", "resource_id", "at"),
    sa.Index("audit_entries_actor", "actor_id", "at"),
    sa.Index("audit_entries_patient", "patient_id", "at"),
    sa.Index("audit_entries_at", "at", "id"),
)

_COLUMNS = (
    "at",
    "call_id",
    "actor_id",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "outcome",
    "request_id",
    "patient_id",
)
_INSERT_ROWS = sa.insert(audit_entries).from_select(
    list(_COLUMNS),
    sa.select(
        sa.func.unnest(*(sa.bindparam(c, type_=ARRAY(audit_entries.c[c].type)) for c in _COLUMNS))
        .table_valued(*_COLUMNS)
        .render_derived()
    ),
)

NO_RESOURCE = "-"
"""The resource id of an entry for a call that named no resource and returned none (an empty search)."""
NOT_AN_ID = "?"
"""The resource id of an entry whose request named something that is not an id."""


class Outcome(enum.StrEnum):
    STARTED = "STARTED"
    """Stored before a method that changes clinical data runs; its outcome follows under the same call id."""
    CANCELLED = "CANCELLED"
    """The caller went away before the method finished; whatever it committed stands."""
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    NOT_FOUND = "NOT_FOUND"
    TIMED_OUT = "TIMED_OUT"
    """The call ran out of its deadline; like CANCELLED, whatever it committed by then stands."""
    REFUSED = "REFUSED"
    """Refused for another reason the caller can act on: invalid input, a state that forbids it."""
    FAILED = "FAILED"
    """An unexpected failure."""


class AuditUnavailable(Unavailable):
    """The trail cannot be written, so the call is refused; nothing was changed, a retry is safe."""

    default_reason = "AUDIT_UNAVAILABLE"
    default_message = "the audit trail cannot be written; retry later"


def outcome_of(error: BaseException | None) -> Outcome:
    if error is None:
        return Outcome.ALLOWED
    if isinstance(error, PermissionDenied | Unauthenticated):
        return Outcome.DENIED
    if isinstance(error, NotFound):
        return Outcome.NOT_FOUND
    if isinstance(error, DeadlineExceeded):
        return Outcome.TIMED_OUT
    if isinstance(error, DomainError):
        return Outcome.REFUSED
    return Outcome.FAILED


def create_audit_table() -> None:
    """For a migration of a service that holds clinical data: the table as it was first made (later
    shapes are later migrations, like add_call_ids)."""
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_id", UUID(as_uuid=True)),
        sa.Column("actor_role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("resource_type", sa.Text, nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("request_id", sa.Text, nullable=False),
    )
    op.create_index("audit_entries_resource", "audit_entries", ["resource_type", "resource_id", "at"])
    op.create_index("audit_entries_actor", "audit_entries", ["actor_id", "at"])


def add_call_ids() -> None:
    """Entries of one call share a call id: a change is recorded as STARTED before it runs, and its
    outcome follows (expand-only: old code keeps writing entries without one)."""
    op.add_column(
        "audit_entries",
        sa.Column(
            "call_id", UUID(as_uuid=True), comment="the entries of one call share it (STARTED, then its outcome)"
        ),
    )


def drop_call_ids() -> None:
    op.drop_column("audit_entries", "call_id")


# The trail is append-only for whoever connects, the table's owner included: statement triggers
# refuse UPDATE, DELETE and TRUNCATE (even of no rows). The owner (the role migrations run as) could
# still drop the triggers or the table; the service's runtime role owns nothing and holds only
# SELECT and INSERT here (privileges.py), so privileges refuse it all of that before any trigger.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on audit_entries is refused', TG_OP
        USING ERRCODE = 'PA001', HINT = 'audit entries are only ever added';
END $$;
CREATE OR REPLACE TRIGGER audit_entries_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
CREATE OR REPLACE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM PUBLIC;
"""
PATIENT_INDEX = "audit_entries_patient"


def make_append_only_with_patients() -> None:
    """For a migration of a service that holds clinical data: the trail refuses any change of what it
    holds, and each entry may name its patient. Expand-only: replicas of the previous release keep
    inserting entries (without a patient) and never changed one.

    The index is built CONCURRENTLY, after the rest is committed, so an attempt can stop between
    the two with the revision not recorded: every step may therefore find itself done already (an
    index of that name, valid or left invalid by a failed build, is dropped and built again), and
    the migration can simply be run again."""
    op.execute("ALTER TABLE audit_entries ADD COLUMN IF NOT EXISTS patient_id uuid")
    op.alter_column("audit_entries", "patient_id", existing_type=UUID(as_uuid=True), comment=PATIENT_COMMENT)
    op.execute(APPEND_ONLY)
    # Built without blocking the inserts of running replicas while it reads a large trail.
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {PATIENT_INDEX}")
        op.execute(f"CREATE INDEX CONCURRENTLY {PATIENT_INDEX} ON audit_entries (patient_id, at)")


def undo_append_only_with_patients() -> None:
    op.drop_index(PATIENT_INDEX, "audit_entries")
    op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
    op.execute("DROP TRIGGER audit_entries_no_update_or_delete ON audit_entries")
    op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_column("audit_entries", "patient_id")


TIME_INDEX = "audit_entries_at"


def add_time_index() -> None:
    """The search's own order (newest first, by time then id), so a search without a narrower filter
    reads the newest entries off an index instead of sorting the whole trail on every page. Built
    without blocking running replicas' inserts; a build an earlier attempt left unfinished (an invalid
    index of that name) is dropped first, so the migration can simply be run again."""
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TIME_INDEX}")
        op.execute(f"CREATE INDEX CONCURRENTLY {TIME_INDEX} ON audit_entries (at, id)")


def drop_time_index() -> None:
    op.execute(f"DROP INDEX IF EXISTS {TIME_INDEX}")


def drop_audit_table() -> None:
    metadata.drop_all(op.get_bind())


def located_values(message: Message, path: str) -> Iterator[tuple[Message, str]]:
    """The values at a dotted path of proto field names, each with the message holding it; a
    repeated field on the way yields each item."""
    head, _, rest = path.partition(".")
    field = message.DESCRIPTOR.fields_by_name[head]
    value = getattr(message, head)
    if field.is_repeated:
        items = list(value)
    elif field.message_type is not None:
        items = [value] if message.HasField(head) else []
    else:
        items = [value]
    for item in items:
        if rest:
            yield from located_values(item, rest)
        elif item not in ("", None):
            yield message, str(item)


def field_values(message: Message, path: str) -> Iterator[str]:
    """The values at a dotted path of proto field names; a repeated field on the way yields each item."""
    return (value for _, value in located_values(message, path))


def patient_in(message: Message, field: str) -> uuid.UUID | None:
    """The patient a message names in `field` (none when the field is empty or no UUID)."""
    for value in field_values(message, field) if field else ():
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Entry:
    """One line of the trail: one resource concerned by one call."""

    action: str
    resource_type: str
    resource_id: str
    outcome: Outcome
    patient_id: uuid.UUID | None = None
    """The patient whose data the resource is, when the call made it known."""


def resource_id(value: str) -> str:
    """An id as the trail stores it: every PulseOne id is a UUID, and anything else a client sent in
    an id field is not stored as sent (it may hold NUL or be huge), only marked."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return NOT_AN_ID


@dataclass(frozen=True)
class AuditRule:
    """The `audit` part of a method's authz option, as plain values."""

    action: str
    resource_type: str
    response_ids: tuple[str, ...]
    request_ids: tuple[tuple[str, str], ...]
    """(request field, resource type) pairs."""
    changes: bool
    patient_field: str = ""
    """Beside each response id, the field naming that resource's patient."""
    request_patient_field: str = ""
    """The request field naming the patient of every entry that has none of its own."""

    @classmethod
    def from_option(cls, audit: authz_pb2.Audit) -> AuditRule:
        return cls(
            action=audit.action,
            resource_type=audit.resource_type,
            response_ids=tuple(audit.response_ids),
            request_ids=tuple((r.field, r.resource_type or audit.resource_type) for r in audit.request_ids),
            changes=audit.changes,
            patient_field=audit.patient_field,
            request_patient_field=audit.request_patient_field,
        )

    def entries(self, request: object, response: object, outcome: Outcome) -> list[Entry]:
        """The resources named by the request (whatever the outcome), and on success every resource
        the response carries; an entry with no resource when neither names one. Each entry names
        its patient: the one beside its id in the response, else the one the request names."""
        found: dict[tuple[str, str], uuid.UUID | None] = {}

        def add(kind: str, value: str, patient: uuid.UUID | None) -> None:
            key = (kind, resource_id(value))
            if found.get(key) is None:
                found[key] = patient

        if isinstance(request, Message):
            for field, kind in self.request_ids:
                for value in field_values(request, field):
                    add(kind, value, None)
        if outcome is Outcome.ALLOWED and isinstance(response, Message):
            for path in self.response_ids:
                for holder, value in located_values(response, path):
                    add(self.resource_type, value, patient_in(holder, self.patient_field))
        if not found:
            found[(self.resource_type, NO_RESOURCE)] = None
        of_call = patient_in(request, self.request_patient_field) if isinstance(request, Message) else None
        return [
            Entry(self.action, kind, identifier, outcome, patient if patient is not None else of_call)
            for (kind, identifier), patient in found.items()
        ]


Batch = list[tuple[list[dict[str, object]], "asyncio.Future[None]"]]


class AuditTrail:
    """Stores audit entries. A call waits until its entries are committed; the entries of calls that
    finish together share one INSERT and one commit, so auditing costs a busy service one round trip
    per batch rather than one transaction per call. Should a batch fail, each call's entries are
    tried alone, so one call's bad entry never costs another call its record."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._pending: Batch = []
        self._writer: asyncio.Task[None] | None = None

    def submit(
        self, principal: Principal, call_id: uuid.UUID, request_id: str, entries: Iterable[Entry]
    ) -> asyncio.Future[None]:
        """Queue entries for the writer, which runs in its own task (a caller that goes away does not
        interrupt it); the future is done when they are stored."""
        at = datetime.now(UTC)
        rows: list[dict[str, object]] = [
            {
                "at": at,
                "call_id": call_id,
                "actor_id": principal.user_id,
                "actor_role": principal.role.value,
                "action": entry.action,
                "resource_type": entry.resource_type,
                "resource_id": entry.resource_id,
                "outcome": entry.outcome.value,
                "request_id": request_id,
                "patient_id": entry.patient_id,
            }
            for entry in entries
        ]
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="audit-trail")
        return written

    async def record(self, principal: Principal, call_id: uuid.UUID, request_id: str, entries: Iterable[Entry]) -> None:
        await asyncio.shield(self.submit(principal, call_id, request_id, entries))

    async def _insert(self, rows: list[dict[str, object]]) -> None:
        """One statement in autocommit, the rows as one array per column: no BEGIN and COMMIT, and
        not one INSERT per row."""
        columns = {column: [row[column] for row in rows] for column in _COLUMNS}
        async with self._autocommit.connect() as connection:
            await connection.execute(_INSERT_ROWS, columns)

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._insert([row for rows, _ in batch for row in rows])
            except Exception:  # noqa: BLE001 - retried call by call below
                await self._write_alone(batch)
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)

    async def _write_alone(self, batch: Batch) -> None:
        for rows, written in batch:
            try:
                await self._insert(rows)
            except Exception as error:  # this call learns of it
                log.error("audit entries not stored", exc_info=error)
                if not written.done():
                    written.set_exception(error)
                    written.exception()  # retrieved: a caller that went away leaves no warning
            else:
                if not written.done():
                    written.set_result(None)

    async def close(self) -> None:
        """Wait for entries in flight (at shutdown)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


@dataclass(frozen=True)
class AuditQuery:
    """What a SYSTEM_ADMIN asks of a trail; every part given must match."""

    user_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    resource_type: str | None = None
    resource_id: uuid.UUID | None = None
    since: datetime | None = None
    """At or after."""
    until: datetime | None = None
    """At or before."""


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the trail holds it."""

    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    patient_id: uuid.UUID | None
    outcome: str
    request_id: str


ENTRIES = Keyset("audit_entries", (datetime, BigInt))
"""Newest first: by time, then by id (entries of one instant in the order they were stored, reversed)."""


class AuditReader:
    """Reads a service's own trail for the AuditTrail API: newest first, keyset-paginated."""

    def __init__(self, engine: AsyncEngine, pages: PageTokens) -> None:
        self._engine = engine
        self._pages = pages

    async def list(
        self, query: AuditQuery, *, size: int, token: str, older_than: tuple[datetime, int] | None = None
    ) -> Page[StoredEntry]:
        """A page after the token's position, or else after `older_than` (a merging caller's own cursor)."""
        page = self._pages.page(ENTRIES, size=size, token=token, filters=vars(query))
        after = page.after or older_than
        table = audit_entries
        statement = sa.select(*(table.c[f.name] for f in StoredEntry.__dataclass_fields__.values()))
        conditions = [
            table.c.actor_id == query.user_id if query.user_id else None,
            table.c.patient_id == query.patient_id if query.patient_id else None,
            table.c.resource_type == query.resource_type if query.resource_type else None,
            table.c.resource_id == str(query.resource_id) if query.resource_id else None,
            table.c.at >= query.since if query.since else None,
            table.c.at <= query.until if query.until else None,
            sa.tuple_(table.c.at, table.c.id) < sa.tuple_(*after) if after else None,
        ]
        statement = (
            statement.where(*(c for c in conditions if c is not None))
            .order_by(table.c.at.desc(), table.c.id.desc())
            .limit(page.fetch)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        entries = [StoredEntry(*row) for row in rows]
        return page.split(entries, lambda e: (e.at, e.id))
