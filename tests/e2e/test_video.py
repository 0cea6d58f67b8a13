"""A virtual consultation through the gateway (SPEC 3.6): booked over REST, its video session made
from the booking event, two aiortc peers (doctor and patient) joining through port 8000 over native
gRPC and negotiating only through the signalling API, video both ways, and the end completing the
appointment with actual times. The events stream over REST is the transcoder's streamed JSON."""

from __future__ import annotations

import asyncio
import json
import struct
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import httpx
from pulseone.video.v1 import resources_pb2, video_pb2

from scripts.demo import DAYS
from scripts.platform import Platform
from scripts.video_peer import Participant
from tests.e2e.conftest import Account, error_info, register
from tests.e2e.test_appointments import ready_doctor
from tests.e2e.test_profiles import eventually
from tests.integration.video.test_recording import video_frames_per_stream

FRAMES = 60
ZONE = "America/New_York"


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def virtual_visit(gateway: httpx.Client, admin: Account) -> tuple[Account, Account, dict[str, Any], str]:
    """A doctor, a patient, their VIRTUAL appointment today (its session began at midnight, so joining
    is open), and its video session id once the booking event made it."""
    doctor = ready_doctor(gateway, admin)
    today = datetime.now(ZoneInfo(ZONE)).date()
    body = {"dayOfWeek": DAYS[today.weekday()], "sessionStartTime": "00:00", "sessionEndTime": "23:59",
            "serviceType": "VIRTUAL", "maxQueueSize": 20, "estimatedConsultationMinutes": 15,
            "effectiveFrom": today.isoformat()}  # fmt: skip
    session = eventually(lambda: _ok(gateway.post("/api/sessions", json=body, headers=doctor.headers)))
    patient = register(gateway, "PATIENT")
    booking = {"sessionId": session["id"], "appointmentDate": today.isoformat(), "appointmentType": "VIRTUAL"}
    booked = _ok(gateway.post("/api/appointments", json=booking, headers=patient.headers))

    def linked() -> str:
        found = _ok(gateway.get(f"/api/appointments/{booked['id']}", headers=patient.headers))
        assert found["videoSessionId"]
        return str(found["videoSessionId"])

    return doctor, patient, booked, eventually(linked)


def test_a_virtual_consultation_over_the_gateway_completes_the_appointment(
    platform: Platform, gateway: httpx.Client, admin: Account
) -> None:
    doctor, patient, booked, session_id = virtual_visit(gateway, admin)
    stranger = register(gateway, "PATIENT")
    refused = gateway.post(f"/api/video/sessions/{session_id}/join", json={}, headers=stranger.headers)
    assert (refused.status_code, error_info(refused)["reason"]) == (403, "NOT_OWNER")

    video = f"/api/video/sessions/{session_id}"

    async def call() -> tuple[list[int], dict[str, Any]]:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel:
            peers = [
                Participant(channel, patient.access_token, session_id, tint=200),
                Participant(channel, doctor.access_token, session_id, tint=60),
            ]
            try:
                for peer in peers:
                    await peer.enter()
                async with asyncio.timeout(40):
                    await asyncio.gather(*(peer.received(FRAMES) for peer in peers))
                # Recording, over REST while the peers keep streaming.
                for who in (patient, doctor):
                    await asyncio.to_thread(
                        gateway.post, f"{video}/consent", json={"recording": True}, headers=who.headers
                    )
                refused = await asyncio.to_thread(
                    gateway.post, f"{video}/recording", json={"action": "START"}, headers=patient.headers
                )
                assert refused.status_code == 403
                start = await asyncio.to_thread(
                    gateway.post, f"{video}/recording", json={"action": "START"}, headers=doctor.headers
                )
                assert _ok(start)["status"] == "RECORDING"
                await asyncio.sleep(3)
                stop = await asyncio.to_thread(
                    gateway.post, f"{video}/recording", json={"action": "STOP"}, headers=doctor.headers
                )
                return [peer.frames_received for peer in peers], _ok(stop)
            finally:
                for peer in peers:
                    await peer.close()

    frames, recording = asyncio.run(call())
    assert all(count >= FRAMES for count in frames)
    assert (recording["status"], recording["contentType"]) == ("STOPPED", "video/webm")
    assert float(recording["durationSeconds"]) >= 2.5
    download = gateway.get(f"{video}/recording/download", headers=patient.headers)
    assert (download.status_code, download.headers["content-type"]) == (200, "video/webm")
    assert len(download.content) == int(recording["sizeBytes"])
    assert [count >= 30 for count in video_frames_per_stream(download.content)] == [True, True]
    assert gateway.get(f"{video}/recording/download", headers=stranger.headers).status_code == 403
    appointment = f"/api/appointments/{booked['id']}"
    assert _ok(gateway.get(appointment, headers=patient.headers))["status"] in ("CHECKED_IN", "IN_PROGRESS")
    eventually(lambda: _status_is(gateway, appointment, patient, "IN_PROGRESS"))
    ended = _ok(gateway.post(f"/api/video/sessions/{session_id}/end", json={}, headers=doctor.headers))
    assert (ended["status"], ended["startTime"] <= ended["endTime"]) == ("COMPLETED", True)
    done = eventually(lambda: _status_is(gateway, appointment, patient, "COMPLETED"))
    assert done["actualStartTime"] == ended["startTime"]
    assert done["actualEndTime"] == ended["endTime"]
    history = _ok(gateway.get(f"/api/video/sessions/history/{patient.id}", headers=patient.headers))
    assert [s["id"] for s in history["videoSessions"]] == [session_id]


def _status_is(gateway: httpx.Client, path: str, who: Account, status: str) -> dict[str, Any]:
    found = _ok(gateway.get(path, headers=who.headers))
    assert found["status"] == status, found["status"]
    return found


def test_the_events_stream_over_rest_is_streamed_json_with_presence_and_heartbeats(
    gateway: httpx.Client, admin: Account
) -> None:
    doctor = ready_doctor(gateway, admin)
    # Participants are a doctor and a patient: no session for an id that is no patient's.
    for other in (str(uuid.uuid4()), doctor.id):
        body = {"patientId": other, "scheduledStartTime": datetime.now(UTC).isoformat()}
        refused = gateway.post("/api/video/sessions", json=body, headers=doctor.headers)
        assert (refused.status_code, error_info(refused)["reason"]) == (404, "PATIENT_NOT_FOUND")
    patient = register(gateway, "PATIENT")
    body = {"patientId": patient.id, "scheduledStartTime": datetime.now(UTC).isoformat()}
    # A patient registered a moment ago is a patient to video once auth's event reached it or profile.
    created = eventually(lambda: _ok(gateway.post("/api/video/sessions", json=body, headers=doctor.headers)))
    session = f"/api/video/sessions/{created['id']}"
    _ok(gateway.post(f"{session}/join", json={}, headers=doctor.headers))
    received: list[dict[str, Any]] = []
    with gateway.stream("GET", f"{session}/events", headers=patient.headers, timeout=30) as stream:
        assert stream.status_code == 200
        text = ""
        for chunk in stream.iter_text():
            text += chunk
            if '"HEARTBEAT"' in text:
                break
    # The transcoder streams one JSON array; cut off mid-way it still holds whole objects.
    decoder, at = json.JSONDecoder(), 1
    while (start := text.find("{", at)) != -1:
        try:
            event, at = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            break
        received.append(event)
    kinds = [event["type"] for event in received]
    assert kinds[0] == "PARTICIPANT_JOINED"
    assert received[0]["participantId"] == doctor.id
    assert "HEARTBEAT" in kinds
    assert gateway.get(f"{session}/events", headers=register(gateway, "PATIENT").headers).status_code == 403


def web_frame(message: Any) -> bytes:
    data = message.SerializeToString()
    return b"\x00" + struct.pack(">I", len(data)) + data


def web_messages(body: bytes) -> list[bytes]:
    """The data frames of a gRPC-Web reply (a trailer frame has the high bit set)."""
    found, at = [], 0
    while at + 5 <= len(body):
        flag, length = body[at], struct.unpack(">I", body[at + 1 : at + 5])[0]
        if not flag & 0x80:
            found.append(body[at + 5 : at + 5 + length])
        at += 5 + length
    return found


def test_signalling_works_for_grpc_web_callers(gateway: httpx.Client, admin: Account) -> None:
    """A browser's gRPC-Web client: it joins, and its events stream (a server stream) carries the
    doctor's offer, through the gateway's grpc_web filter."""
    doctor = ready_doctor(gateway, admin)
    patient = register(gateway, "PATIENT")
    body = {"patientId": patient.id, "scheduledStartTime": datetime.now(UTC).isoformat()}
    # A patient registered a moment ago is a patient to video once auth's event reached it or profile.
    created = eventually(lambda: _ok(gateway.post("/api/video/sessions", json=body, headers=doctor.headers)))
    session_id = created["id"]
    web = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1"}
    service = "/pulseone.video.v1.VideoService"
    _ok(gateway.post(f"/api/video/sessions/{session_id}/join", json={}, headers=doctor.headers))
    with gateway.stream(
        "POST",
        f"{service}/StreamSessionEvents",
        content=web_frame(video_pb2.StreamSessionEventsRequest(session_id=session_id)),
        headers={**patient.headers, **web},
        timeout=30,
    ) as stream:
        assert (stream.status_code, stream.headers["content-type"]) == (200, "application/grpc-web+proto")
        joined = gateway.post(
            f"{service}/JoinVideoSession",
            content=web_frame(video_pb2.JoinVideoSessionRequest(session_id=session_id)),
            headers={**patient.headers, **web},
        )
        [reply] = web_messages(joined.content)
        assert video_pb2.JoinVideoSessionResponse.FromString(reply).role == "PATIENT"
        offer = {"type": "OFFER", "toParticipantId": patient.id, "sdp": "v=0 from the doctor"}
        _ok(gateway.post(f"/api/video/sessions/{session_id}/signals", json=offer, headers=doctor.headers))
        arrived, events = b"", []
        for chunk in stream.iter_bytes():
            arrived += chunk
            events = [resources_pb2.SessionEvent.FromString(m) for m in web_messages(arrived)]
            if any(e.type == resources_pb2.SessionEvent.OFFER for e in events):
                break
    kinds = [resources_pb2.SessionEvent.Type.Name(e.type) for e in events]
    assert kinds[0] == "PARTICIPANT_JOINED"
    assert "OFFER" in kinds
    [received] = [e for e in events if e.type == resources_pb2.SessionEvent.OFFER]
    assert (received.from_participant_id, received.sdp) == (doctor.id, "v=0 from the doctor")
