"""Recording (SPEC 3.6): with both participants' consent the doctor starts it; this replica then runs
the session's recorder peer, which offers each present participant a receive-only connection through
their events stream and writes their media to one file in the recordings store. The recorder is
reached from any replica through `RecorderControl` (STOP, a joiner's offer, the live figures); STOP,
a withdrawn consent or the end of the session finishes the file. Participants download it; nobody
else reaches it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import aiortc
from nats.aio.subscription import Subscription
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.video import store
from services.video.domain import sessions as rules
from services.video.domain.errors import RecordingState
from services.video.domain.sessions import RECORDER, Recording, RecordingStatus, VideoSession
from services.video.domain.signals import Candidate, EventType, LiveEvent
from services.video.live import Command, LiveChannel, RecorderControl
from services.video.recorder import (
    FILE_SUFFIX,
    RecorderSignal,
    RecordingFailed,
    RecordingFigures,
    SessionRecorder,
)

log = logging.getLogger("pulseone.video.recording")

CHUNK = 64 * 1024
WATCH_SECONDS = 5.0
"""How often a quiet recorder checks that its session is still open."""


@dataclass
class Hosted:
    """A recorder this replica runs: the peer, the task feeding it participants' signals, its control."""

    recorder: SessionRecorder
    listener: asyncio.Task[None]
    control: Subscription
    connected: set[str]


class Recordings:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        live: LiveChannel,
        control: RecorderControl,
        directory: Path,
        *,
        ice_servers: Callable[[], list[aiortc.RTCIceServer] | None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._db = database
        self._live = live
        self._control = control
        self._directory = directory
        self._ice_servers = ice_servers
        self._now = clock
        self._hosted: dict[uuid.UUID, Hosted] = {}
        self._ending: set[asyncio.Task[Recording]] = set()

    async def start(self, viewer: Principal, session_id: uuid.UUID) -> Recording:
        now = self._now()
        name = f"{session_id}-{now.strftime('%Y%m%dT%H%M%S')}{FILE_SUFFIX}"
        async with transaction(self._db) as db:
            current = await self._doctors(db, viewer, session_id, lock=True)
            rules.check_may_start_recording(current)
            recording = Recording(RecordingStatus.RECORDING, started_at=now)
            await store.save(db, rules.with_recording(current, recording, now))
            await store.set_recording_file(db, session_id, name)
        await self._host(session_id, self._directory / name, current)
        await self._live.publish(session_id, LiveEvent(EventType.RECORDING_STARTED, now))
        return recording

    async def stop(self, viewer: Principal, session_id: uuid.UUID) -> Recording:
        async with self._db() as db:
            current = await self._doctors(db, viewer, session_id)
        rules.check_recording(current)
        return await self._finish(session_id)

    async def get(self, viewer: Principal, session_id: uuid.UUID) -> Recording:
        async with self._db() as db:
            current = await self._participants(db, viewer, session_id)
        recording = current.recording
        if recording.status is RecordingStatus.RECORDING:
            answer = await self._control.ask(session_id, {"command": "figures"})
            if answer is not None and "error" not in answer:
                recording = _with_figures(recording, answer)
        return recording

    async def download(self, viewer: Principal, session_id: uuid.UUID) -> tuple[str, AsyncIterator[bytes]]:
        async with self._db() as db:
            current = await self._participants(db, viewer, session_id)
            name = await store.recording_file(db, session_id)
        rules.check_downloadable(current)
        path = self._directory / name
        if not name or not path.is_file():
            raise RecordingState("the recording's file is not in the store", current.recording.status.value)
        return current.recording.content_type or "application/octet-stream", _chunks(path)

    async def after_presence(self, session: VideoSession) -> None:
        """A joiner gets the recorder's offer, a leaver's connection closes; the end finishes the file."""
        if session.recording.status is not RecordingStatus.RECORDING:
            return
        if session.status in rules.ENDED:
            await self._finish(session.id)
            return
        present = [str(p.participant_id) for p in session.present]
        await self._control.ask(session.id, {"command": "sync", "present": present})

    async def after_consent(self, session: VideoSession) -> None:
        """A consent withdrawn stops the recording."""
        if session.recording.status is RecordingStatus.RECORDING and not all(
            p.recording_consent for p in session.participants
        ):
            await self._finish(session.id)

    async def close(self) -> None:
        """At shutdown: finish every file this replica is writing (their sessions say FAILED if the
        replica dies instead)."""
        for session_id in list(self._hosted):
            with contextlib.suppress(Exception):
                await self._finish(session_id)
        await asyncio.gather(*self._ending, return_exceptions=True)

    # The recorder this replica runs

    async def _host(self, session_id: uuid.UUID, path: Path, session: VideoSession) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)

        async def send(signal: RecorderSignal) -> None:
            candidate = (
                Candidate(signal.candidate, signal.sdp_mid, signal.sdp_m_line_index) if signal.candidate else None
            )
            event = LiveEvent(
                EventType(signal.type),
                self._now(),
                from_participant_id=RECORDER,
                to_participant_id=signal.to_participant_id,
                sdp=signal.sdp,
                candidate=candidate,
            )
            await self._live.publish(session_id, event)

        recorder = SessionRecorder(path, send, ice_servers=self._ice_servers(), clock=self._now)
        ready = asyncio.Event()
        listener = asyncio.create_task(self._listen(session_id, recorder, ready), name=f"recorder-{session_id}")
        await ready.wait()
        control = await self._control.serve(session_id, lambda command: self._command(session_id, command))
        hosted = Hosted(recorder, listener, control, set())
        self._hosted[session_id] = hosted
        await self._sync(hosted, [str(p.participant_id) for p in session.present])

    async def _listen(self, session_id: uuid.UUID, recorder: SessionRecorder, ready: asyncio.Event) -> None:
        """Participants' answers and candidates addressed to the recorder."""
        async with self._live.listen(session_id) as queue:
            ready.set()
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), WATCH_SECONDS)
                except TimeoutError:
                    # Quiet: the session may have ended without a word here (its appointment was
                    # cancelled); then the recording ends too, on a task of its own, as this one stops.
                    if await self._ended(session_id):
                        ending = asyncio.create_task(self._finish(session_id), name=f"recording-end-{session_id}")
                        self._ending.add(ending)
                        ending.add_done_callback(self._ending.discard)
                        return
                    continue
                if event.to_participant_id != RECORDER:
                    continue
                try:
                    if event.type is EventType.ANSWER:
                        await recorder.on_answer(event.from_participant_id, event.sdp)
                    elif event.type is EventType.ICE_CANDIDATE and event.candidate is not None:
                        c = event.candidate
                        await recorder.on_candidate(
                            event.from_participant_id, c.candidate, c.sdp_mid, c.sdp_m_line_index
                        )
                except Exception:
                    log.exception("recorder could not take a signal", extra={"sessionId": str(session_id)})

    async def _command(self, session_id: uuid.UUID, command: Command) -> Command:
        hosted = self._hosted.get(session_id)
        if hosted is None:
            return {"error": "not recording here"}
        if command.get("command") == "sync":
            present = command.get("present")
            await self._sync(hosted, [str(p) for p in present] if isinstance(present, list) else [])
            return _figures(hosted.recorder.figures())
        if command.get("command") == "stop":
            return {**await self._stop_hosted(session_id, hosted, by_control=True), "done": True}
        return _figures(hosted.recorder.figures())

    async def _sync(self, hosted: Hosted, present: list[str]) -> None:
        for participant_id in present:
            if participant_id not in hosted.connected:
                hosted.connected.add(participant_id)
                await hosted.recorder.add_participant(participant_id)
        for participant_id in list(hosted.connected - set(present)):
            hosted.connected.discard(participant_id)
            await hosted.recorder.remove_participant(participant_id)

    async def _stop_hosted(self, session_id: uuid.UUID, hosted: Hosted, *, by_control: bool = False) -> Command:
        """Stop this replica's recorder. A STOP that came through the control subscription runs inside
        its callback, which unsubscribing would cancel before the reply: the control ends itself after
        replying (`RecorderControl.serve`, on `done`)."""
        self._hosted.pop(session_id, None)
        hosted.listener.cancel()
        if not by_control:
            with contextlib.suppress(Exception):
                await hosted.control.unsubscribe()
        try:
            figures = _figures(await hosted.recorder.stop())
        except RecordingFailed as failure:
            log.error("recording failed", extra={"sessionId": str(session_id), "error": repr(failure)})
            figures = {**_figures(failure.figures), "failed": True}
        await asyncio.gather(hosted.listener, return_exceptions=True)
        return figures

    async def _finish(self, session_id: uuid.UUID) -> Recording:
        """Stop the recorder wherever it runs and record the outcome: STOPPED with its figures, or
        FAILED when it failed or its replica is gone."""
        hosted = self._hosted.get(session_id)
        answer = await (
            self._stop_hosted(session_id, hosted) if hosted else self._control.ask(session_id, {"command": "stop"})
        )
        now = self._now()
        async with transaction(self._db) as db:
            current = await store.video_session(db, session_id, lock=True)
            if current is None or current.recording.status is not RecordingStatus.RECORDING:
                return current.recording if current else Recording()
            failed = answer is None or "error" in answer or bool(answer.get("failed"))
            recording = _with_figures(current.recording, answer or {})
            recording = replace(recording, status=RecordingStatus.FAILED if failed else RecordingStatus.STOPPED)
            await store.save(db, rules.with_recording(current, recording, now))
        await self._live.publish(session_id, LiveEvent(EventType.RECORDING_STOPPED, now))
        return recording

    async def _ended(self, session_id: uuid.UUID) -> bool:
        async with self._db() as db:
            return await store.has_ended(db, session_id)

    async def _doctors(
        self, db: AsyncSession, viewer: Principal, session_id: uuid.UUID, *, lock: bool = False
    ) -> VideoSession:
        current = await self._participants(db, viewer, session_id, lock=lock)
        if rules.participant_of(viewer, current).role is not Role.DOCTOR:
            raise NotYours()
        return current

    async def _participants(
        self, db: AsyncSession, viewer: Principal, session_id: uuid.UUID, *, lock: bool = False
    ) -> VideoSession:
        current = await store.video_session(db, session_id, lock=lock)
        if current is None:
            raise NotYours()
        rules.participant_of(viewer, current)
        return current


def _figures(figures: RecordingFigures) -> Command:
    return {
        "startedAt": figures.started_at.isoformat(),
        "durationSeconds": figures.duration_seconds,
        "sizeBytes": figures.size_bytes,
        "frames": figures.frames,
        "contentType": figures.content_type,
    }


def _with_figures(recording: Recording, figures: Command) -> Recording:
    started = figures.get("startedAt")
    return replace(
        recording,
        started_at=recording.started_at or (datetime.fromisoformat(started) if isinstance(started, str) else None),
        duration_seconds=float(figures.get("durationSeconds", recording.duration_seconds)),  # type: ignore[arg-type]
        size_bytes=int(figures.get("sizeBytes", recording.size_bytes)),  # type: ignore[call-overload]
        frames=int(figures.get("frames", recording.frames)),  # type: ignore[call-overload]
        content_type=str(figures.get("contentType", recording.content_type)),
    )


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk
