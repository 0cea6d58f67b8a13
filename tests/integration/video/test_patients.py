"""A doctor's session is for a patient (SPEC 3.6: "created directly by a doctor for a patient",
participants exactly its doctor and its patient): any other id is refused and nothing is made; a
patient this service has not heard of yet is re-read from the profile service first (DESIGN 6),
and a profile service that cannot answer is PROFILE_UNAVAILABLE, never a refusal."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
from pulseone.profile.v1 import profile_pb2
from pulseone.video.v1 import video_pb2, video_pb2_grpc

from scripts.stack import Nats
from services.video.app import build as build_video
from services.video.settings import VideoSettings
from tests.integration.conftest import (
    AuthHarness,
    ProfileHarness,
    VideoHarness,
    eventually,
    replica_without_profile,
    run_sql,
)
from tests.integration.video.conftest import Person, create, person, soon
from tests.rpc import refusal


def for_patient(stub: Any, doctor: Person, patient_id: str) -> Any:
    request = video_pb2.CreateVideoSessionRequest(patient_id=patient_id)
    request.scheduled_start_time.FromDatetime(soon())
    return stub.CreateVideoSession(request, metadata=doctor.metadata)


async def sessions_of(video: VideoHarness, doctor: Person) -> int:
    rows = await run_sql(
        video.database_url, "SELECT count(*) FROM video_sessions WHERE doctor_id = :id", id=uuid.UUID(doctor.user_id)
    )
    return int(rows[0][0])


async def test_a_session_for_an_id_that_is_no_patients_is_refused_and_nothing_is_made(
    video: VideoHarness, auth: AuthHarness
) -> None:
    doctor = await person(video, auth, "DOCTOR")
    others = [
        str(uuid.uuid4()),
        (await person(video, auth, "DOCTOR")).user_id,
        (await person(video, auth, "SYSTEM_ADMIN")).user_id,
        doctor.user_id,
    ]
    for other in others:
        failure = await refusal(for_patient(video.stub(), doctor, other))
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")
    assert await sessions_of(video, doctor) == 0


async def test_a_session_for_a_patient_lists_them_as_its_patient(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await person(video, auth, "DOCTOR"), await person(video, auth, "PATIENT")

    session = await create(video, doctor, patient)

    assert {p.participant_id for p in session.participants} == {doctor.user_id, patient.user_id}


async def test_a_patient_whose_account_event_lags_is_read_from_profile_before_a_refusal(
    video: VideoHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    doctor = await person(video, auth, "DOCTOR")
    patient_id = (await auth.register("PATIENT")).user.id
    other_doctor_id = (await auth.register("DOCTOR")).user.id
    matches = profile.stub("PatientService")
    await eventually(
        lambda: matches.GetPatientMatch(
            profile_pb2.GetPatientMatchRequest(patient_id=patient_id), metadata=doctor.metadata
        )
    )
    for user_id in (patient_id, other_doctor_id):
        await eventually(lambda user_id=user_id: _mirrored(video, user_id))  # type: ignore[misc]
        # Auth's events not arrived here yet: the accounts copy as before them.
        await run_sql(video.database_url, "DELETE FROM accounts WHERE user_id = :id", id=uuid.UUID(user_id))

    made = await for_patient(video.stub(), doctor, patient_id)
    assert patient_id in {p.participant_id for p in made.participants}
    failure = await refusal(for_patient(video.stub(), doctor, other_doctor_id))
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")


async def _mirrored(video: VideoHarness, user_id: str) -> None:
    rows = await run_sql(video.database_url, "SELECT role FROM accounts WHERE user_id = :id", id=uuid.UUID(user_id))
    assert len(rows) == 1


async def test_a_patient_unknown_here_while_profile_is_down_is_unavailable_not_refused(
    video: VideoHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    doctor, patient = await person(video, auth, "DOCTOR"), await person(video, auth, "PATIENT")
    async with replica_without_profile(build_video, VideoSettings, video, nats_server.url, auth) as channel:
        stub = video_pb2_grpc.VideoServiceStub(channel)  # type: ignore[no-untyped-call]
        failure = await refusal(for_patient(stub, doctor, str(uuid.uuid4())))
        assert (failure.code, failure.reason) == (grpc.StatusCode.UNAVAILABLE, "PROFILE_UNAVAILABLE")
        # What this service knows needs no profile.
        await for_patient(stub, doctor, patient.user_id)
    assert await sessions_of(video, doctor) == 1
