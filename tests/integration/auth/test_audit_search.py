"""GET /api/audit's method: the auth service searches every audited service's trail with the
SYSTEM_ADMIN's token and merges them newest first, never skipping, repeating or silently leaving out."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from pulseone.appointments.v1 import appointments_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.prescriptions.v1 import prescriptions_pb2
from pulseone.profile.v1 import profile_pb2

from scripts.stack import Nats, Postgres, free_port
from tests.integration.appointments.test_audit_trail_api import violations
from tests.integration.appointments.test_booking import book, create_session, seed_doctor, session_day
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    PrescriptionsHarness,
    ProfileHarness,
    VideoHarness,
    bearer,
    forge_token,
    run_sql,
    start_auth,
)

AUDITED = ("profile", "appointments", "prescriptions", "video")


@pytest.fixture(scope="module")
async def trails(
    profile: ProfileHarness,
    appointments: AppointmentsHarness,
    prescriptions: PrescriptionsHarness,
    video: VideoHarness,
) -> dict[str, str]:
    """Each audited service's address and database."""
    return {
        "profile_address": f"127.0.0.1:{profile.runtime.port}",
        "appointments_address": f"127.0.0.1:{appointments.replicas[0].port}",
        "prescriptions_address": f"127.0.0.1:{prescriptions.replicas[0].port}",
        "video_address": f"127.0.0.1:{video.replicas[0].port}",
    }


async def auth_reading(postgres: Postgres, nats_server: Nats, auth: AuthHarness, **addresses: str) -> AuthHarness:
    """Another auth replica that reads the trails, signing with the same keys (so every service
    accepts its tokens and it accepts theirs)."""
    return await start_auth(postgres, nats_server.url, auth.key_ring.parent, **addresses)


@pytest.fixture(scope="module")
async def searcher(
    postgres: Postgres, nats_server: Nats, auth: AuthHarness, trails: dict[str, str]
) -> AsyncIterator[AuthHarness]:
    harness = await auth_reading(postgres, nats_server, auth, **trails)
    yield harness
    await harness.channel.close()
    await harness.runtime.stop()


def admin(auth: AuthHarness) -> str:
    return forge_token(auth, str(uuid.uuid4()), "SYSTEM_ADMIN")


@pytest.fixture(scope="module")
async def touched(
    auth: AuthHarness,
    profile: ProfileHarness,
    appointments: AppointmentsHarness,
    prescriptions: PrescriptionsHarness,
) -> str:
    """A patient whose data was read in three services: their id."""
    doctor_id = await seed_doctor(appointments)
    day = session_day(13)
    session = await create_session(appointments, forge_token(auth, doctor_id, "DOCTOR"), day)
    patient_id = str(uuid.uuid4())
    token = forge_token(auth, patient_id, "PATIENT")
    booked = await book(appointments, token, session.id, day)
    for _ in range(3):
        await appointments.appointments().GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(token)
        )
        with pytest.raises(grpc.aio.AioRpcError):  # no medical profile yet: still a read of theirs
            await profile.stub("PatientService").GetPatient(
                profile_pb2.GetPatientRequest(patient_id=patient_id), metadata=bearer(token)
            )
        await prescriptions.stub().ListPrescriptions(
            prescriptions_pb2.ListPrescriptionsRequest(patient_id=patient_id), metadata=bearer(token)
        )
    return patient_id


async def search(harness: AuthHarness, token: str, **fields: Any) -> auth_pb2.ListAuditEntriesResponse:
    response: auth_pb2.ListAuditEntriesResponse = await harness.stub.ListAuditEntries(
        auth_pb2.ListAuditEntriesRequest(**fields), metadata=bearer(token)
    )
    return response


async def stored(harness: Any, service: str, patient_id: str) -> list[tuple[str, int]]:
    database = harness.database_url
    rows = await run_sql(database, "SELECT id FROM audit_entries WHERE patient_id = :p", p=uuid.UUID(patient_id))
    return [(service, row[0]) for row in rows]


async def test_pages_across_services_give_every_entry_once_newest_first(
    searcher: AuthHarness,
    auth: AuthHarness,
    touched: str,
    profile: ProfileHarness,
    appointments: AppointmentsHarness,
    prescriptions: PrescriptionsHarness,
) -> None:
    token = admin(auth)
    listed: list[Any] = []
    page_token = ""
    for _ in range(50):
        page = await search(searcher, token, patient_id=touched, page_size=2, page_token=page_token)
        assert len(page.audit_entries) <= 2
        listed += page.audit_entries
        page_token = page.next_page_token
        if not page_token:
            break

    expected = [
        *await stored(profile, "profile", touched),
        *await stored(appointments, "appointments", touched),
        *await stored(prescriptions, "prescriptions", touched),
    ]
    assert sorted((e.service, e.id) for e in listed) == sorted(expected)
    assert len({(e.service, e.id) for e in listed}) == len(listed)
    assert {e.service for e in listed} == {"profile", "appointments", "prescriptions"}
    keys = [(e.at.ToDatetime(), e.service, e.id) for e in listed]
    assert keys == sorted(keys, reverse=True)
    assert {e.patient_id for e in listed} == {touched}


async def test_one_page_holds_the_newest_of_all_services(
    searcher: AuthHarness, auth: AuthHarness, touched: str
) -> None:
    everything = await search(searcher, admin(auth), patient_id=touched, page_size=200)
    first = await search(searcher, admin(auth), patient_id=touched, page_size=4)
    assert [(e.service, e.id) for e in first.audit_entries] == [(e.service, e.id) for e in everything.audit_entries[:4]]
    assert everything.next_page_token == ""


@pytest.mark.parametrize("at_video", ["nobody", "a release without the trail"])
async def test_a_trail_that_does_not_answer_makes_the_search_unavailable(
    postgres: Postgres, nats_server: Nats, auth: AuthHarness, trails: dict[str, str], touched: str, at_video: str
) -> None:
    """Nobody at the address, or a replica of the release before (during a rollout: UNIMPLEMENTED):
    503, never a 500 and never a page without video's entries."""
    port = free_port() if at_video == "nobody" else auth.runtime.port  # auth serves no trail of its own
    harness = await auth_reading(postgres, nats_server, auth, **{**trails, "video_address": f"127.0.0.1:{port}"})
    try:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await search(harness, admin(auth), patient_id=touched)
        assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
        assert "video" not in (refused.value.details() or "")  # no internal names in the message
    finally:
        await harness.channel.close()
        await harness.runtime.stop()


async def test_bad_filters_are_named(searcher: AuthHarness, auth: AuthHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await search(
            searcher,
            admin(auth),
            user_id="me",
            patient_id="42",
            resource_id="x",
            resource_type="spreadsheet",
            to="yesterday",
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(refused.value) == {"userId", "patientId", "resourceId", "resourceType", "to"}
    with pytest.raises(grpc.aio.AioRpcError) as reversed_range:
        await search(searcher, admin(auth), **{"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"})
    assert violations(reversed_range.value) == {"from"}
    with pytest.raises(grpc.aio.AioRpcError) as negative:
        await search(searcher, admin(auth), page_size=-1)
    assert negative.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_a_token_is_good_only_for_the_same_filters(
    searcher: AuthHarness, auth: AuthHarness, touched: str
) -> None:
    token = admin(auth)
    first = await search(searcher, token, patient_id=touched, page_size=1)
    assert first.next_page_token
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await search(searcher, token, page_size=1, page_token=first.next_page_token)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("role", ["PATIENT", "DOCTOR", "CLINIC_ADMIN", "PHARMACY"])
async def test_only_a_system_admin_searches(searcher: AuthHarness, auth: AuthHarness, role: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await search(searcher, forge_token(auth, str(uuid.uuid4()), role))
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
