"""Signalling across two replicas: a signal posted to one reaches a stream held by the other through
NATS; streams start with who is present, carry presence and the end, and beat every second here
(SPEC 3.6; issue 10)."""

from __future__ import annotations

import uuid

import grpc
from pulseone.video.v1 import resources_pb2, video_pb2

from tests.integration.conftest import AuthHarness, VideoHarness, run_sql
from tests.integration.video.conftest import create, doctor_and_patient, join, person, signal, streaming
from tests.rpc import refusal


async def test_a_signal_posted_to_one_replica_reaches_a_stream_held_by_the_other(
    video: VideoHarness, auth: AuthHarness
) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    await join(video, doctor, session.id)
    async with (
        streaming(video, patient, session.id, replica=1) as patients,
        streaming(video, doctor, session.id) as doctors,
    ):
        [present] = await patients.until("PARTICIPANT_JOINED")
        assert present.participant_id == doctor.user_id  # a stream starts with who is there
        await join(video, patient, session.id, replica=1)
        await doctors.until("SESSION_STARTED")
        await signal(video, doctor, session.id, patient.user_id, sdp="v=0 offer")
        [offer] = await patients.until("OFFER")
        assert (offer.from_participant_id, offer.to_participant_id, offer.sdp) == (
            doctor.user_id,
            patient.user_id,
            "v=0 offer",
        )
        candidate = resources_pb2.IceCandidate(candidate="candidate:1 1 UDP 1 10.0.0.1 5000 typ host", sdp_mid="0")
        await signal(video, patient, session.id, doctor.user_id, replica=1, type="ICE_CANDIDATE", candidate=candidate)
        [ice] = await doctors.until("ICE_CANDIDATE")
        assert (ice.candidate.candidate, ice.candidate.sdp_mid) == (candidate.candidate, "0")
        # Signals are for their addressee only.
        assert [e for e in doctors.events if e.type == resources_pb2.SessionEvent.OFFER] == []
        await patients.until("HEARTBEAT", timeout=3)
        await video.stub().EndVideoSession(
            video_pb2.EndVideoSessionRequest(session_id=session.id), metadata=doctor.metadata
        )
        await patients.until("SESSION_ENDED")
        await patients.closed.wait()
        assert patients.error is None


async def test_signals_go_between_present_participants_only(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    failure = await refusal(signal(video, doctor, session.id, patient.user_id, sdp="v=0"))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NOT_PRESENT")
    await join(video, doctor, session.id)
    failure = await refusal(signal(video, doctor, session.id, str(uuid.uuid4()), sdp="v=0"))
    assert failure.fields == {"toParticipantId": "INVALID_FIELD"}
    failure = await refusal(signal(video, doctor, session.id, patient.user_id))
    assert failure.fields == {"sdp": "INVALID_FIELD"}
    stranger = await person(video, auth, "PATIENT")
    failure = await refusal(signal(video, stranger, session.id, doctor.user_id, sdp="v=0"))
    assert failure.reason == "NOT_OWNER"
    async with streaming(video, stranger, session.id) as theirs:
        await theirs.closed.wait()
    assert isinstance(theirs.error, grpc.aio.AioRpcError)
    assert theirs.error.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_stream_ends_when_its_appointment_is_cancelled(video: VideoHarness, auth: AuthHarness) -> None:
    """Cancellation comes as an event to the video service, not through a participant: the open
    streams notice at their next heartbeat and end with SESSION_ENDED."""
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    async with streaming(video, patient, session.id) as patients:
        await join(video, patient, session.id)
        await patients.until("PARTICIPANT_JOINED")
        await run_sql(
            video.database_url, "UPDATE video_sessions SET status = 'CANCELLED' WHERE id = :id", id=session.id
        )
        await patients.until("SESSION_ENDED", timeout=5)
        await patients.closed.wait()
