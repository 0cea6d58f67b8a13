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
            await peer.join()
            await peer.listen()
        async with asyncio.timeout(30):
            await asyncio.gather(*(peer.received(FRAMES) for peer in peers))
        assert all(peer.frames_received >= FRAMES for peer in peers)
    finally:
        for peer in peers:
            await peer.close()
