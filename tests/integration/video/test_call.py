"""A real call: two aiortc peers, each on a different replica, negotiate only through the signalling
API and exchange video both ways (SPEC 3.6; issue 10)."""

from __future__ import annotations

import asyncio

from scripts.video_peer import Participant
from tests.integration.conftest import AuthHarness, VideoHarness
from tests.integration.video.conftest import create, doctor_and_patient

FRAMES = 60
"""Two seconds of video at 30 frames a second."""


async def test_doctor_and_patient_on_two_replicas_see_each_other(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    peers = [
        Participant(video.channels[0], doctor.token, session.id, tint=60),
        Participant(video.channels[1], patient.token, session.id, tint=200),
    ]
    try:
        for peer in peers:
            await peer.enter()
        async with asyncio.timeout(30):
            await asyncio.gather(*(peer.received(FRAMES) for peer in peers))
        assert all(peer.frames_received >= FRAMES for peer in peers)
    finally:
        for peer in peers:
            await peer.close()


async def test_a_participant_who_reconnects_gets_what_it_needs_to_renegotiate(
    video: VideoHarness, auth: AuthHarness
) -> None:
    """The patient drops and comes back on another replica with a fresh peer: its stream starts with
    the doctor present, the doctor hears it joined again and offers anew, and video flows again."""
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    doctors = Participant(video.channels[0], doctor.token, session.id, tint=60)
    first = Participant(video.channels[1], patient.token, session.id, tint=200)
    again = Participant(video.channels[0], patient.token, session.id, tint=120)
    try:
        for peer in (doctors, first):
            await peer.enter()
        async with asyncio.timeout(30):
            await asyncio.gather(doctors.received(FRAMES // 2), first.received(FRAMES // 2))
        await first.leave()
        before = doctors.frames_received
        await again.enter()
        async with asyncio.timeout(30):
            await asyncio.gather(again.received(FRAMES // 2), doctors.received(before + FRAMES // 2))
        opening = [e for e in again.events if e.type == e.PARTICIPANT_JOINED]
        assert opening[0].participant_id == doctor.user_id
    finally:
        for peer in (doctors, first, again):
            await peer.close()
