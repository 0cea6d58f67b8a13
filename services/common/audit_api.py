"""The internal AuditTrailService (pulseone.audit.v1) each service holding clinical data serves over its trail."""

from __future__ import annotations

import re
import uuid
from datetime import UTC

import grpc
from pulseone.audit.v1 import audit_pb2, audit_pb2_grpc

from services.common.audit import AuditQuery, AuditReader, StoredEntry
from services.common.errors import ValidationErrors
from services.common.timestamps import set_time

SERVICE_NAME = "pulseone.audit.v1.AuditTrailService"
RESOURCE_TYPE = re.compile(r"^[a-z][a-z_]{0,63}$")


def audit_query(found: audit_pb2.AuditFilter, errors: ValidationErrors) -> AuditQuery:
    """The filter as values; every bad field is added to `errors` (named as the public API names it)."""
    ids: dict[str, uuid.UUID] = {}
    for field, name in (("user_id", "userId"), ("patient_id", "patientId"), ("resource_id", "resourceId")):
        value = getattr(found, field)
        try:
            if value:
                ids[field] = uuid.UUID(value)
        except ValueError:
            errors.add(name, "is not a UUID", "INVALID_ID")
    if found.resource_type and not RESOURCE_TYPE.match(found.resource_type):
        errors.add("resourceType", "is not a resource type", "INVALID_RESOURCE_TYPE")
    since = found.from_time.ToDatetime(tzinfo=UTC) if found.HasField("from_time") else None
    until = found.to_time.ToDatetime(tzinfo=UTC) if found.HasField("to_time") else None
    if since is not None and until is not None and since > until:
        errors.add("from", "is after to", "INVALID_RANGE")
    return AuditQuery(
        user_id=ids.get("user_id"),
        patient_id=ids.get("patient_id"),
        resource_type=found.resource_type or None,
        resource_id=ids.get("resource_id"),
        since=since,
        until=until,
    )


def audit_filter(query: AuditQuery) -> audit_pb2.AuditFilter:
    found = audit_pb2.AuditFilter(
        user_id=str(query.user_id or ""),
        patient_id=str(query.patient_id or ""),
        resource_type=query.resource_type or "",
        resource_id=str(query.resource_id or ""),
    )
    set_time(found.from_time, query.since)
    set_time(found.to_time, query.until)
    return found


def entry_message(service: str, entry: StoredEntry) -> audit_pb2.AuditEntry:
    message = audit_pb2.AuditEntry(
        id=entry.id,
        service=service,
        actor_id=str(entry.actor_id or ""),
        actor_role=entry.actor_role,
        action=entry.action,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        patient_id=str(entry.patient_id or ""),
        outcome=entry.outcome,
        request_id=entry.request_id,
    )
    set_time(message.at, entry.at)
    return message


def stored_entry(message: audit_pb2.AuditEntry) -> StoredEntry:
    """An entry as another service's trail gave it."""
    return StoredEntry(
        id=message.id,
        at=message.at.ToDatetime(tzinfo=UTC),
        actor_id=uuid.UUID(message.actor_id) if message.actor_id else None,
        actor_role=message.actor_role,
        action=message.action,
        resource_type=message.resource_type,
        resource_id=message.resource_id,
        patient_id=uuid.UUID(message.patient_id) if message.patient_id else None,
        outcome=message.outcome,
        request_id=message.request_id,
    )


class AuditTrailApi(audit_pb2_grpc.AuditTrailServiceServicer):
    """One service's trail, newest first, for a SYSTEM_ADMIN (the rule in the proto says so)."""

    def __init__(self, service: str, reader: AuditReader) -> None:
        self._service = service
        self._reader = reader

    async def ListAuditEntries(
        self, request: audit_pb2.ListAuditEntriesRequest, context: grpc.aio.ServicerContext
    ) -> audit_pb2.ListAuditEntriesResponse:
        errors = ValidationErrors()
        query = audit_query(request.filter, errors)
        errors.raise_if_any()
        older_than = None
        if request.HasField("older_than"):
            older_than = (request.older_than.at.ToDatetime(tzinfo=UTC), request.older_than.id)
        page = await self._reader.list(query, size=request.page_size, token=request.page_token, older_than=older_than)
        return audit_pb2.ListAuditEntriesResponse(
            audit_entries=[entry_message(self._service, e) for e in page.items], next_page_token=page.next_page_token
        )


def serve_audit_trail(server: grpc.aio.Server, service: str, reader: AuditReader) -> None:
    """Add the AuditTrailService API to a service's server (its name belongs in the service's SERVICE_NAMES)."""
    audit_pb2_grpc.add_AuditTrailServiceServicer_to_server(AuditTrailApi(service, reader), server)  # type: ignore[no-untyped-call]
