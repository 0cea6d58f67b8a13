"""The internal AuditTrail API over the appointments service's own trail: SYSTEM_ADMIN only, newest
first, filtered, and paged without skipping or repeating an entry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from pulseone.appointments.v1 import appointments_pb2
from pulseone.audit.v1 import audit_pb2, audit_pb2_grpc

from services.common.status import GRPC_DETAILS_KEY
from tests.integration.appointments.test_booking import book, create_session, patient, seed_doctor, session_day, sql
from tests.integration.conftest import AppointmentsHarness, AuthHarness, bearer, forge_token


def trail(harness: AppointmentsHarness, replica: int = 0) -> Any:
    return audit_pb2_grpc.AuditTrailServiceStub(harness.channels[replica])


def admin(auth: AuthHarness) -> str:
    return forge_token(auth, str(uuid.uuid4()), "SYSTEM_ADMIN")


async def read_everything(
    harness: AppointmentsHarness, token: str, query: audit_pb2.AuditFilter, size: int
) -> list[audit_pb2.AuditEntry]:
    entries: list[audit_pb2.AuditEntry] = []
    page_token = ""
    for replica in range(100):  # pages alternate between the replicas: tokens are the service's, not a replica's
        page = await trail(harness, replica % 2).ListAuditEntries(
            audit_pb2.ListAuditEntriesRequest(filter=query, page_size=size, page_token=page_token),
            metadata=bearer(token),
        )
        assert len(page.audit_entries) <= size
        entries += page.audit_entries
        page_token = page.next_page_token
        if not page_token:
            return entries
    raise AssertionError("no last page")


@pytest.fixture
async def reads(appointments: AppointmentsHarness, auth: AuthHarness) -> tuple[str, str, str]:
    """A patient's appointment, read seven times by the patient: (patient id, appointment id, doctor id)."""
    doctor_id = await seed_doctor(appointments)
    day = session_day(6)
    session = await create_session(appointments, forge_token(auth, doctor_id, "DOCTOR"), day)
    owner_id, owner = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    for _ in range(7):
        await appointments.appointments().GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(owner)
        )
    return owner_id, booked.id, doctor_id


async def test_a_patients_entries_page_newest_first_without_gaps_or_repeats(
    appointments: AppointmentsHarness, auth: AuthHarness, reads: tuple[str, str, str]
) -> None:
    owner_id, appointment_id, _ = reads
    entries = await read_everything(appointments, admin(auth), audit_pb2.AuditFilter(patient_id=owner_id), size=3)

    stored = await sql(
        appointments,
        "SELECT id FROM audit_entries WHERE patient_id = :p ORDER BY at DESC, id DESC",
        p=uuid.UUID(owner_id),
    )
    assert [e.id for e in entries] == [row[0] for row in stored]
    # The booking's outcome and seven reads (its STARTED entry came before the reply named the patient).
    assert len(entries) == 8
    assert {e.service for e in entries} == {"appointments"}
    assert {e.patient_id for e in entries} == {owner_id}
    reads_of_it = [e for e in entries if e.action == "READ"]
    assert len(reads_of_it) == 7
    assert {(e.actor_id, e.actor_role, e.resource_type, e.resource_id, e.outcome) for e in reads_of_it} == {
        (owner_id, "PATIENT", "appointment", appointment_id, "ALLOWED")
    }
    assert all(e.request_id for e in entries)


async def test_filters_by_user_resource_and_time(
    appointments: AppointmentsHarness, auth: AuthHarness, reads: tuple[str, str, str]
) -> None:
    owner_id, appointment_id, _ = reads
    token = admin(auth)
    everything = await read_everything(appointments, token, audit_pb2.AuditFilter(user_id=owner_id), size=200)
    assert {e.actor_id for e in everything} == {owner_id}

    of_it = await read_everything(
        appointments,
        token,
        audit_pb2.AuditFilter(resource_type="appointment", resource_id=appointment_id),
        size=200,
    )
    assert {(e.resource_type, e.resource_id) for e in of_it} == {("appointment", appointment_id)}

    newest, oldest = everything[0].at.ToDatetime(tzinfo=UTC), everything[-1].at.ToDatetime(tzinfo=UTC)
    window = audit_pb2.AuditFilter(user_id=owner_id)
    window.from_time.FromDatetime(newest)
    window.to_time.FromDatetime(newest)
    assert {e.id for e in await read_everything(appointments, token, window, size=200)} == {
        e.id for e in everything if e.at.ToDatetime(tzinfo=UTC) == newest
    }
    before = audit_pb2.AuditFilter(user_id=owner_id)
    before.to_time.FromDatetime(oldest - timedelta(microseconds=1))
    assert await read_everything(appointments, token, before, size=200) == []


def violations(error: grpc.aio.AioRpcError) -> set[str]:
    details = dict(error.trailing_metadata() or ())[GRPC_DETAILS_KEY]
    fields: set[str] = set()
    for detail in status_pb2.Status.FromString(details).details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields |= {v.field for v in bad.field_violations}
    return fields


async def test_bad_filters_name_every_bad_field(appointments: AppointmentsHarness, auth: AuthHarness) -> None:
    query = audit_pb2.AuditFilter(user_id="me", patient_id="1", resource_id="x", resource_type="DROP TABLE")
    query.from_time.FromDatetime(datetime(2030, 1, 2, tzinfo=UTC))
    query.to_time.FromDatetime(datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await trail(appointments).ListAuditEntries(
            audit_pb2.ListAuditEntriesRequest(filter=query), metadata=bearer(admin(auth))
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(refused.value) == {"userId", "patientId", "resourceId", "resourceType", "from"}


@pytest.mark.parametrize("role", ["PATIENT", "DOCTOR", "CLINIC_ADMIN", "PHARMACY"])
async def test_only_a_system_admin_reads_the_trail(
    appointments: AppointmentsHarness, auth: AuthHarness, role: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await trail(appointments).ListAuditEntries(
            audit_pb2.ListAuditEntriesRequest(), metadata=bearer(forge_token(auth, str(uuid.uuid4()), role))
        )
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_without_a_token_the_trail_is_closed(appointments: AppointmentsHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await trail(appointments).ListAuditEntries(audit_pb2.ListAuditEntriesRequest())
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_token_of_another_filter_is_refused(
    appointments: AppointmentsHarness, auth: AuthHarness, reads: tuple[str, str, str]
) -> None:
    owner_id, _, _ = reads
    token = admin(auth)
    first = await trail(appointments).ListAuditEntries(
        audit_pb2.ListAuditEntriesRequest(filter=audit_pb2.AuditFilter(patient_id=owner_id), page_size=2),
        metadata=bearer(token),
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await trail(appointments).ListAuditEntries(
            audit_pb2.ListAuditEntriesRequest(page_size=2, page_token=first.next_page_token), metadata=bearer(token)
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
