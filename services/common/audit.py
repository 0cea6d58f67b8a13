"""The audit trail of clinical data: who read or changed what, when, and with what outcome (SPEC 5).

What a method records is declared once, in its `pulseone.authz.v1.rule` option (`audit`), and the
interceptor records every call of such a method by a signed-in user, whatever its outcome, before
the reply leaves: no clinical route can forget it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from google.protobuf.message import Message
from pulseone.authz.v1 import authz_pb2
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.context import Principal
from services.common.errors import DomainError, NotFound, PermissionDenied, Unauthenticated

log = logging.getLogger("pulseone.audit")

metadata = sa.MetaData()

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
    sa.Index("audit_entries_resource", "resource_type", "resource_id", "at"),
    sa.Index("audit_entries_actor", "actor_id", "at"),
)

NO_RESOURCE = "-"
"""The resource id of an entry for a call that named no resource and returned none (an empty search)."""


class Outcome(enum.StrEnum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    NOT_FOUND = "NOT_FOUND"
    REFUSED = "REFUSED"
    """Refused for another reason the caller can act on: invalid input, a state that forbids it."""
    FAILED = "FAILED"
    """An unexpected failure."""


def outcome_of(error: BaseException | None) -> Outcome:
    if error is None:
        return Outcome.ALLOWED
    if isinstance(error, PermissionDenied | Unauthenticated):
        return Outcome.DENIED
    if isinstance(error, NotFound):
        return Outcome.NOT_FOUND
    if isinstance(error, DomainError):
        return Outcome.REFUSED
    return Outcome.FAILED


def create_audit_table() -> None:
    """For a migration of a service that holds clinical data."""
    metadata.create_all(op.get_bind())


def drop_audit_table() -> None:
    metadata.drop_all(op.get_bind())


def field_values(message: Message, path: str) -> Iterator[str]:
    """The values at a dotted path of proto field names; a repeated field on the way yields each item."""
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
            yield from field_values(item, rest)
        elif item not in ("", None):
            yield str(item)


@dataclass(frozen=True)
class Entry:
    """One line of the trail: one resource concerned by one call."""

    action: str
    resource_type: str
    resource_id: str
    outcome: Outcome


@dataclass(frozen=True)
class AuditRule:
    """The `audit` part of a method's authz option, as plain values."""

    action: str
    resource_type: str
    response_ids: tuple[str, ...]
    request_id_field: str
    request_resource_type: str

    @classmethod
    def from_option(cls, audit: authz_pb2.Audit) -> AuditRule:
        return cls(
            action=audit.action,
            resource_type=audit.resource_type,
            response_ids=tuple(audit.response_ids),
            request_id_field=audit.request_id_field,
            request_resource_type=audit.request_resource_type or audit.resource_type,
        )

    def entries(self, request: object, response: object, error: BaseException | None) -> list[Entry]:
        """The resource named by the request (whatever the outcome), and on success every resource
        the response carries; an entry with no resource when neither names one."""
        outcome = outcome_of(error)
        found: dict[tuple[str, str], None] = {}
        if self.request_id_field and isinstance(request, Message):
            for value in field_values(request, self.request_id_field):
                found[(self.request_resource_type, value)] = None
        if error is None and isinstance(response, Message):
            for path in self.response_ids:
                for value in field_values(response, path):
                    found[(self.resource_type, value)] = None
        if not found:
            found[(self.resource_type, NO_RESOURCE)] = None
        return [Entry(self.action, kind, resource_id, outcome) for kind, resource_id in found]


class AuditTrail:
    """Stores audit entries. A call's reply waits until its entries are committed; the entries of
    calls that finish together share one INSERT and one commit, so auditing costs a busy service
    one round trip per batch rather than one transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pending: list[tuple[list[dict[str, object]], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, principal: Principal, request_id: str, entries: Iterable[Entry]) -> None:
        at = datetime.now(UTC)
        rows: list[dict[str, object]] = [
            {
                "at": at,
                "actor_id": principal.user_id,
                "actor_role": principal.role.value,
                "action": entry.action,
                "resource_type": entry.resource_type,
                "resource_id": entry.resource_id[:200],
                "outcome": entry.outcome.value,
                "request_id": request_id,
            }
            for entry in entries
        ]
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="audit-trail")
        # The write runs in its own task: a caller that goes away does not interrupt it.
        await asyncio.shield(written)

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(sa.insert(audit_entries), [row for rows, _ in batch for row in rows])
            except Exception as error:  # every waiting call learns of it
                log.error("audit entries not stored", exc_info=error)
                for _, written in batch:
                    if not written.done():
                        written.set_exception(error)
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)

    async def close(self) -> None:
        """Wait for entries in flight (at shutdown)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
