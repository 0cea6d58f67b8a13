"""A real browser in a video consultation (SPEC 3.6): Debian's Chromium, with a fake camera and
microphone, loads `browser/consultation.html` from an origin of its own, joins as the patient over
REST through the gateway (so through its CORS policy), and negotiates with an aiortc doctor on
native gRPC only through the signalling API; video arrives on both sides."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import grpc
import httpx
import pytest
from playwright.async_api import Page, async_playwright
from pulseone.video.v1 import resources_pb2

from scripts.platform import Platform
from scripts.video_peer import Participant
from tests.e2e.conftest import Account, register
from tests.e2e.test_appointments import ready_doctor
from tests.e2e.test_profiles import eventually

Event = resources_pb2.SessionEvent
CHROMIUM = Path("/usr/bin/chromium")
PAGE_DIR = Path(__file__).parent / "browser"
FRAMES = 60
# Headless, as root (no sandbox), on a machine with no network but loopback and the registries: no
# background connections, updates or sync. The fake devices give a camera and a microphone, and the
# fake UI grants them; with that permission Chromium signals its real host addresses rather than
# mDNS names (which the aiortc peer could not resolve here), so WebRtcHideLocalIpsWithMdns need not
# be turned off (and a --disable-features of ours would replace Playwright's own list).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: this test needs Debian's chromium package. `make test` installs it when "
            "run as root; otherwise run `sudo apt-get install chromium` once."
        )
    return CHROMIUM


class _PageFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the page's address carries an access token."""


@contextmanager
def page_origin() -> Iterator[str]:
    """The page's own origin: another port than the gateway's, so every call it makes is cross-origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_PageFiles, directory=str(PAGE_DIR)))
    thread = threading.Thread(target=server.serve_forever, name="page-origin", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _progress(page: Page, console: list[str]) -> str:
    state = await page.evaluate("window.consultation")
    events = [event["type"] for event in state.pop("events")]
    return f"page state {state}, events {events}, console {console[-20:]}"


def _remote_candidate_types(peer: Participant) -> set[str]:
    """The kinds of the browser's candidates the doctor's ICE agent knows ("host" only if signalled:
    checks from an unsignalled address make "prflx" ones)."""
    assert peer.call is not None
    ice = peer.call.getTransceivers()[0].receiver.transport.transport
    return {candidate.type for candidate in ice.getRemoteCandidates()}


async def consult(
    platform: Platform, gateway: httpx.Client, chromium: Path, doctor: Account, page_url: str, session_id: str
) -> dict[str, Any]:
    """The doctor (aiortc) enters, then the browser opens the page; both wait for video from the other,
    then the doctor ends the session and the page hears of it."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel, async_playwright() as pw:
        peer = Participant(channel, doctor.access_token, session_id, tint=60)
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        console: list[str] = []
        try:
            await peer.enter()
            page = await browser.new_page()
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            await page.goto(page_url)
            decoded = page.wait_for_function(
                f"() => consultation.framesDecoded >= {FRAMES} || consultation.errors.length > 0", timeout=0
            )
            try:
                async with asyncio.timeout(30):
                    await asyncio.gather(peer.received(FRAMES), decoded)
            except TimeoutError:
                pytest.fail(f"no video both ways: doctor got {peer.frames_received}; {await _progress(page, console)}")
            state: dict[str, Any] = await page.evaluate("window.consultation")
            assert state["errors"] == [], await _progress(page, console)
            figures = {
                "browser_decoded": await page.evaluate("window.framesDecoded()"),
                "browser_sent": state["framesSent"],
                "doctor_received": peer.frames_received,
                "candidates_trickled": sum(Event.Type.Name(e.type) == "ICE_CANDIDATE" for e in peer.events),
                "doctor_knows": _remote_candidate_types(peer),
                "connection": state["connectionState"],
            }
            ended = await asyncio.to_thread(
                gateway.post, f"/api/video/sessions/{session_id}/end", json={}, headers=doctor.headers
            )
            figures["status"] = _ok(ended)["status"]
            await page.wait_for_function("() => consultation.phase === 'ended'", timeout=10_000)
            return figures
        finally:
            await browser.close()
            await peer.close()


def test_a_patient_in_a_browser_and_a_doctor_on_grpc_see_each_other(
    chromium: Path, platform: Platform, gateway: httpx.Client, admin: Account
) -> None:
    doctor = ready_doctor(gateway, admin)
    patient = register(gateway, "PATIENT")
    body = {"patientId": patient.id, "scheduledStartTime": datetime.now(UTC).isoformat()}
    # A patient registered a moment ago is a patient to video once auth's event reached it or profile.
    created = eventually(lambda: _ok(gateway.post("/api/video/sessions", json=body, headers=doctor.headers)))
    query = {"gateway": platform.gateway_url, "token": patient.access_token, "session": created["id"]}
    with page_origin() as origin:
        page_url = f"{origin}/consultation.html?{urlencode(query)}"
        figures = asyncio.run(consult(platform, gateway, chromium, doctor, page_url, created["id"]))
    print(f"browser consultation: {figures}")
    assert figures["browser_decoded"] >= FRAMES
    assert figures["doctor_received"] >= FRAMES
    assert figures["candidates_trickled"] > 0
    assert "host" in figures["doctor_knows"]
    assert (figures["connection"], figures["status"]) == ("connected", "COMPLETED")
