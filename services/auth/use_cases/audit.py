"""Searching the audit trails of the services that hold clinical data, for a SYSTEM_ADMIN (GET /api/audit)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.auth.domain.audit_trails import Cursor, Fetched, Position, merge
from services.common.audit import AuditQuery, StoredEntry
from services.common.errors import InvalidArgument, ValidationErrors
from services.common.fields import require_instant
from services.common.pagination import Keyset, PageTokens, invalid_page_token, page_size

TrailReader = Callable[[AuditQuery, Position | None, int], Awaitable[Fetched[StoredEntry]]]
"""Asks one service's AuditTrailService for at most n entries older than a position, on the
caller's behalf; raises AuditTrailUnavailable when the service does not answer."""

START, DONE = "", "done"


@dataclass(frozen=True)
class AuditFilters:
    """The public request's filters as the client sent them."""

    user_id: str = ""
    patient_id: str = ""
    resource_type: str = ""
    resource_id: str = ""
    since: str = ""
    until: str = ""


def _cursor_text(cursor: Cursor) -> str:
    if cursor.done:
        return DONE
    if cursor.after is None:
        return START
    at, entry_id = cursor.after
    return f"{at.isoformat()}|{entry_id}"


def _cursor(text: str) -> Cursor:
    if text == START:
        return Cursor()
    if text == DONE:
        return Cursor(done=True)
    at, _, entry_id = text.partition("|")
    instant = datetime.fromisoformat(at)
    if instant.tzinfo is None or not entry_id.isdigit():
        raise ValueError("not a cursor")
    return Cursor((instant, int(entry_id)))


class AuditTrails:
    """One listing over every audited service's trail: fanned out, merged newest first, and paged
    by a signed token that holds each trail's own position."""

    def __init__(self, readers: Mapping[str, TrailReader], pages: PageTokens, resource_types: frozenset[str]) -> None:
        self._readers = dict(readers)
        self._keyset = Keyset("audit_trails", (str,) * len(self._readers))
        self._pages = pages
        self._resource_types = resource_types

    def query(self, filters: AuditFilters) -> AuditQuery:
        """The filters checked, every bad one named at once."""
        errors = ValidationErrors()
        ids: dict[str, uuid.UUID | None] = {}
        for name, value in (
            ("userId", filters.user_id),
            ("patientId", filters.patient_id),
            ("resourceId", filters.resource_id),
        ):
            try:
                ids[name] = uuid.UUID(value) if value else None
            except ValueError:
                errors.add(name, "is not a UUID", "INVALID_ID")
        if filters.resource_type and filters.resource_type not in self._resource_types:
            errors.add("resourceType", f"is none of {', '.join(sorted(self._resource_types))}", "UNKNOWN_RESOURCE_TYPE")
        instants: dict[str, datetime | None] = {}
        for name, value in (("from", filters.since), ("to", filters.until)):
            try:
                instants[name] = require_instant(value, name) if value else None
            except InvalidArgument as error:  # its violation joins the others
                errors.violations += error.violations
        since, until = instants.get("from"), instants.get("to")
        if since is not None and until is not None and since > until:
            errors.add("from", "is after to", "INVALID_RANGE")
        errors.raise_if_any()
        return AuditQuery(
            user_id=ids["userId"],
            patient_id=ids["patientId"],
            resource_type=filters.resource_type or None,
            resource_id=ids["resourceId"],
            since=since,
            until=until,
        )

    async def list(self, filters: AuditFilters, *, size: int, token: str) -> tuple[list[StoredEntry], list[str], str]:
        """One page: the entries newest first, the service of each, and the next page's token."""
        query = self.query(filters)
        limit = page_size(size)
        request = self._pages.page(self._keyset, size=limit, token=token, filters=vars(query))
        try:
            texts = request.after or (START,) * len(self._readers)
            cursors = {name: _cursor(text) for name, text in zip(self._readers, texts, strict=True)}
        except ValueError:
            raise invalid_page_token() from None
        waiting = {name: cursor for name, cursor in cursors.items() if not cursor.done}
        answers = await asyncio.gather(*(self._readers[name](query, c.after, limit) for name, c in waiting.items()))
        page = merge(cursors, dict(zip(waiting, answers, strict=True)), lambda e: (e.at, e.id), limit)
        next_token = "" if page.last else request.token_for(tuple(_cursor_text(c) for c in page.cursors.values()))
        return [e for _, e in page.entries], [s for s, _ in page.entries], next_token
