"""The recorder peer of a video session: receives every participant's media over WebRTC and writes one file."""

from __future__ import annotations

import asyncio
import heapq
import logging
import os
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.container
import av.stream
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceCandidate,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp
from av.audio.frame import AudioFrame
from av.video.frame import VideoFrame

from services.common.clock import Clock, utc_now

log = logging.getLogger("pulseone.video.recorder")

RECORDER_ID = "recorder"
"""The participant id the recorder signals under (SPEC 3.6)."""

CONTENT_TYPE = "video/webm"
FILE_SUFFIX = ".webm"
"""WebM (VP8 video, Opus audio): the codecs WebRTC itself carries, encoded in realtime by the bundled
libvpx and libopus, and a Matroska container that stays readable up to the last cluster written."""

CONTAINER_FORMAT = "webm"
VIDEO_TIME_BASE = Fraction(1, 1000)
VIDEO_BIT_RATE = 1_000_000
AUDIO_SAMPLE_RATE = 48_000
AUDIO_BIT_RATE = 48_000
# The recorder encodes on the service's own CPU, as fast as the call goes: libvpx's default "good"
# deadline takes about 110 ms a 720p frame where "realtime" takes 15. Each track already has its own
# encoding thread; libvpx's threads on top of that only contended with it (several times the CPU a frame).
VIDEO_ENCODER_OPTIONS = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0", "threads": "1"}
AUDIO_ENCODER_OPTIONS = {"application": "voip"}
# Frames waiting for the encoder beyond these are dropped, so a slow disk or CPU costs frames, not memory.
VIDEO_QUEUE_FRAMES = 30
AUDIO_QUEUE_FRAMES = 250
MAX_DRIFT_SECONDS = 1.0
RTP_TIMESTAMP_MODULUS = 1 << 32

Kind = Literal["audio", "video"]


@dataclass(frozen=True)
class RecorderSignal:
    """What the recorder sends a participant through the session's signalling."""

    to_participant_id: str
    type: str
    sdp: str = ""
    candidate: str = ""
    sdp_mid: str = ""
    sdp_m_line_index: int = 0


SendSignal = Callable[[RecorderSignal], Awaitable[None]]


@dataclass(frozen=True)
class RecordingFigures:
    """What the recording API reports (SPEC 3.6): live while recording, final once stopped.

    While recording, `size_bytes` counts what has been encoded so far. Once stopped it is the size
    of the file, and 0 exactly when there is no file at the recorder's path because nothing was
    received (or the merge failed)."""

    started_at: datetime
    duration_seconds: float
    size_bytes: int
    frames: int
    content_type: str


class RecordingFailed(Exception):
    """The recorder could not write all it received; `figures` describe the file as it was left."""

    def __init__(self, message: str, figures: RecordingFigures) -> None:
        super().__init__(message)
        self.figures = figures


def rtp_seconds_between(earlier: int, later: int, time_base: Fraction) -> float:
    """Seconds from one RTP timestamp to the next: they wrap at 2**32, so the shorter way round is meant."""
    ticks = (later - earlier) % RTP_TIMESTAMP_MODULUS
    if ticks >= RTP_TIMESTAMP_MODULUS // 2:
        ticks -= RTP_TIMESTAMP_MODULUS
    return float(ticks * time_base)


class MediaTimeline:
    """Places one track's frames on the recording's timeline, in seconds since the recording started.

    A sender's RTP timestamps space its frames exactly, whatever the network and the decoder did to
    their arrival; they start at a random value, so only their differences count. The first frame,
    and any frame whose RTP time strays from its arrival by more than MAX_DRIFT_SECONDS (a sender
    that restarted its clock), is placed at its arrival.
    """

    def __init__(self) -> None:
        self._last_rtp: int | None = None
        self._last_seconds = 0.0

    def place(self, rtp: int | None, time_base: Fraction | None, arrival: float) -> float:
        if self._last_rtp is None or rtp is None or time_base is None:
            placed = arrival
        else:
            placed = self._last_seconds + rtp_seconds_between(self._last_rtp, rtp, time_base)
            if abs(placed - arrival) > MAX_DRIFT_SECONDS:
                placed = arrival
        self._last_rtp = rtp
        self._last_seconds = placed
        return placed


def silence_like(frame: AudioFrame, samples: int) -> AudioFrame:
    silence = AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=samples)
    silence.sample_rate = frame.sample_rate
    for plane in silence.planes:
        plane.update(bytes(plane.buffer_size))
    return silence


class TrackRecording:
    """One received track, encoded into its own temporary file by a worker thread.

    A container's streams are fixed when its header is written, and a participant may join after
    the recording began, so every track gets its own file and `stop` merges them. The thread keeps
    encoding off the event loop that serves the calls; the file is created at the first frame, so a
    track that never delivers one leaves nothing behind.
    """

    def __init__(self, path: Path, kind: Kind, participant_id: str) -> None:
        self.path = path
        self.kind = kind
        self.participant_id = participant_id
        self.frames_written = 0
        self.frames_dropped = 0
        self.bytes_written = 0
        self.error: Exception | None = None
        self._timeline = MediaTimeline()
        self._queue: queue.Queue[tuple[VideoFrame | AudioFrame, float] | None] = queue.Queue(
            VIDEO_QUEUE_FRAMES if kind == "video" else AUDIO_QUEUE_FRAMES
        )
        self._container: av.container.OutputContainer | None = None
        self._stream: av.VideoStream | av.AudioStream | None = None
        self._next_audio_pts: int | None = None
        self._last_video_pts = -1
        self._finishing = False
        self._thread = threading.Thread(target=self._run, name=f"recorder-{path.name}", daemon=True)
        self._thread.start()

    @property
    def title(self) -> str:
        """The stream's title in the file: whose media it is (its type says audio or video)."""
        return self.participant_id

    def offer(self, frame: VideoFrame | AudioFrame, arrival: float) -> None:
        """Queue a frame received `arrival` seconds into the recording, or drop it if the encoder is behind."""
        if self._finishing:
            return
        seconds = self._timeline.place(frame.pts, as_fraction(frame.time_base), arrival)
        try:
            self._queue.put_nowait((frame, seconds))
        except queue.Full:
            if self.frames_dropped == 0:
                log.warning("the recorder's encoder is behind; dropping frames", extra=self._log_fields())
            self.frames_dropped += 1

    async def finish(self) -> None:
        """Write what is queued, then close the file; any caller returns once the file is closed."""
        if self._finishing:
            await asyncio.to_thread(self._thread.join)
            return
        self._finishing = True
        # Put only once, while the thread still takes from the queue: a full queue then only waits.
        await asyncio.to_thread(self._queue.put, None)
        await asyncio.to_thread(self._thread.join)
        if self.frames_dropped:
            log.warning("frames dropped by the recorder", extra={**self._log_fields(), "dropped": self.frames_dropped})

    def file_size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is None:
                self._attempt(lambda: self._write(*item))
        if self.error is None:
            self._attempt(self._flush)
        if self._container is not None:
            self._attempt(self._container.close)

    def _attempt(self, step: Callable[[], None]) -> None:
        """Run one step of writing; the first failure is kept for `stop` to report, and later frames are ignored."""
        try:
            step()
        except Exception as exc:
            log.exception("the recorder could not write a track", extra=self._log_fields())
            if self.error is None:
                self.error = exc

    def _write(self, frame: VideoFrame | AudioFrame, seconds: float) -> None:
        stream = self._stream or self._open(frame)
        if isinstance(frame, VideoFrame) and isinstance(stream, av.VideoStream):
            pts = max(round(seconds / VIDEO_TIME_BASE), self._last_video_pts + 1)
            frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
            self._last_video_pts = pts
            self._mux(stream.encode(frame))
            self.frames_written += 1
        elif isinstance(frame, AudioFrame) and isinstance(stream, av.AudioStream):
            for contiguous in self._audio_frames(frame, seconds):
                self._mux(stream.encode(contiguous))
            self.frames_written += 1

    def _audio_frames(self, frame: AudioFrame, seconds: float) -> Iterator[AudioFrame]:
        """The frame with a timestamp that continues the previous one, after silence for any gap.

        The encoder wants audio without holes; a gap (lost packets, a sender that paused) is filled
        with silence so that what follows stays in step with the video.
        """
        rate = frame.sample_rate
        target = round(seconds * rate)
        if self._next_audio_pts is None:
            self._next_audio_pts = target
        missing = target - self._next_audio_pts
        while missing >= frame.samples:
            chunk = min(missing, rate)
            silence = silence_like(frame, chunk)
            silence.pts, silence.time_base = self._next_audio_pts, Fraction(1, rate)
            yield silence
            self._next_audio_pts += chunk
            missing -= chunk
        frame.pts, frame.time_base = self._next_audio_pts, Fraction(1, rate)
        self._next_audio_pts += frame.samples
        yield frame

    def _open(self, first: VideoFrame | AudioFrame) -> av.VideoStream | av.AudioStream:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.path), mode="w", format=CONTAINER_FORMAT)
        self._container = container
        stream: av.VideoStream | av.AudioStream
        if isinstance(first, VideoFrame):
            stream = container.add_stream("libvpx", options=VIDEO_ENCODER_OPTIONS)
            stream.width, stream.height, stream.pix_fmt = first.width, first.height, "yuv420p"
            stream.bit_rate = VIDEO_BIT_RATE
            stream.codec_context.time_base = VIDEO_TIME_BASE
            stream.time_base = VIDEO_TIME_BASE
        else:
            stream = container.add_stream("libopus", rate=AUDIO_SAMPLE_RATE, options=AUDIO_ENCODER_OPTIONS)
            stream.layout = "mono"
            stream.bit_rate = AUDIO_BIT_RATE
        stream.metadata["title"] = self.title
        self._stream = stream
        return stream

    def _mux(self, packets: list[av.Packet[av.stream.Stream]]) -> None:
        assert self._container is not None
        self._container.mux(packets)
        self.bytes_written += sum(packet.size for packet in packets)

    def _flush(self) -> None:
        if self._stream is not None:
            self._mux(self._stream.encode(None))

    def _log_fields(self) -> dict[str, object]:
        return {"participantId": self.participant_id, "kind": self.kind}


def as_fraction(time_base: object) -> Fraction | None:
    """A frame's time base as a Fraction: PyAV 19 gives its own rational type."""
    numerator, denominator = getattr(time_base, "numerator", None), getattr(time_base, "denominator", None)
    if isinstance(numerator, int) and isinstance(denominator, int) and denominator:
        return Fraction(numerator, denominator)
    return None


@dataclass
class PeerLink:
    """The recorder's connection with one participant, and the tracks it has received on it."""

    participant_id: str
    connection: RTCPeerConnection
    recordings: list[TrackRecording] = field(default_factory=list)
    pumps: list[asyncio.Task[None]] = field(default_factory=list)
    answered: bool = False
    described: bool = False
    early_candidates: list[RTCIceCandidate | None] = field(default_factory=list)
    closed: bool = False


def parse_candidate(candidate: str, sdp_mid: str, sdp_m_line_index: int) -> RTCIceCandidate | None:
    """An ICE candidate as a browser or aiortc signals it; an empty one means end-of-candidates.

    Raises ValueError for anything that is not a candidate line.
    """
    text = candidate.strip().removeprefix("a=").removeprefix("candidate:")
    if not text:
        return None
    if len(text.split()) < 8:
        raise ValueError("an ICE candidate has at least eight fields")
    try:
        parsed = candidate_from_sdp(text)
    except (AssertionError, IndexError) as exc:
        raise ValueError("not an ICE candidate") from exc
    parsed.sdpMid = sdp_mid or None
    parsed.sdpMLineIndex = sdp_m_line_index
    return parsed


class SessionRecorder:
    """Records one session: a receive-only peer connection per participant, one file at `path` in the end.

    The file holds a stream per track received, titled with the participant's id: a participant
    who leaves and comes back adds streams of their own that start when they came back. It is
    written only at `stop`, and not at all when nothing was received.

    Every method is safe to call from the service's request handlers at any time: a failure with
    one participant's connection is logged and closes that connection, it never propagates. Only
    `stop` reports how the recording went, by raising RecordingFailed when something could not be
    written.
    """

    def __init__(
        self,
        path: Path,
        send: SendSignal,
        *,
        ice_servers: list[RTCIceServer] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._path = path
        self._send = send
        # aiortc falls back to a public STUN server when given None; the recorder uses only what it is given.
        self._configuration = RTCConfiguration(iceServers=list(ice_servers or []))
        self._clock = clock
        self._started_at = clock()
        self._origin = time.monotonic()
        self._links: dict[str, PeerLink] = {}
        self._recordings: list[TrackRecording] = []
        self._background: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._finishing: asyncio.Future[RecordingFigures | RecordingFailed] | None = None

    @property
    def path(self) -> Path:
        return self._path

    async def add_participant(self, participant_id: str) -> None:
        """Offer a receive-only connection to a participant; one already connected is offered anew.

        The offer carries all of the recorder's ICE candidates (aiortc gathers them before it is
        sent), so the recorder never trickles any.
        """
        if self._stopping:
            return
        previous = self._links.get(participant_id)
        link = PeerLink(participant_id, RTCPeerConnection(self._configuration))
        self._links[participant_id] = link
        self._watch(link)
        if previous is not None:
            await self._close(previous)
        try:
            link.connection.addTransceiver("audio", direction="recvonly")
            link.connection.addTransceiver("video", direction="recvonly")
            await link.connection.setLocalDescription(await link.connection.createOffer())
            if self._links.get(participant_id) is not link:
                await self._close(link)
                return
            description = link.connection.localDescription
            await self._send(RecorderSignal(to_participant_id=participant_id, type="OFFER", sdp=description.sdp))
        except Exception:
            log.exception("the recorder could not offer a connection", extra={"participantId": participant_id})
            await self._drop(link)

    async def on_answer(self, participant_id: str, sdp: str) -> None:
        """Connect with a participant's answer; an answer to no open offer is ignored."""
        link = self._links.get(participant_id)
        if link is None or link.answered:
            log.warning("an answer the recorder did not ask for", extra={"participantId": participant_id})
            return
        link.answered = True
        try:
            await link.connection.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            link.described = True
            while link.early_candidates:
                await link.connection.addIceCandidate(link.early_candidates.pop(0))
        except Exception:
            if not link.closed:
                log.exception("the recorder could not use an answer", extra={"participantId": participant_id})
            await self._drop(link)

    async def on_candidate(self, participant_id: str, candidate: str, sdp_mid: str, sdp_m_line_index: int) -> None:
        """Add a participant's ICE candidate; one that comes before their answer waits for it."""
        link = self._links.get(participant_id)
        if link is None:
            return
        try:
            parsed = parse_candidate(candidate, sdp_mid, sdp_m_line_index)
        except ValueError:
            log.warning("an ICE candidate the recorder cannot read", extra={"participantId": participant_id})
            return
        if not link.described or link.early_candidates:
            link.early_candidates.append(parsed)
            return
        try:
            await link.connection.addIceCandidate(parsed)
        except Exception:
            log.exception("the recorder could not add an ICE candidate", extra={"participantId": participant_id})

    async def remove_participant(self, participant_id: str) -> None:
        """Close a participant's connection; what was recorded from it stays in the recording."""
        link = self._links.pop(participant_id, None)
        if link is not None:
            await self._close(link)

    def figures(self) -> RecordingFigures:
        if self._finishing is not None and self._finishing.done():
            outcome = self._finishing.result()
            return outcome.figures if isinstance(outcome, RecordingFailed) else outcome
        return self._live_figures()

    def _live_figures(self) -> RecordingFigures:
        return RecordingFigures(
            started_at=self._started_at,
            duration_seconds=self._seconds_since_start(self._clock()),
            # The track files lag behind what was encoded (the muxer holds a cluster back), so count that.
            size_bytes=sum(recording.bytes_written for recording in self._recordings),
            frames=self._video_frames_written(),
            content_type=CONTENT_TYPE,
        )

    async def stop(self) -> RecordingFigures:
        """Close every connection and merge what was received into the one file (none if nothing was).

        Calling it again returns the same figures; cancelling the caller does not cut the merge
        short. Raises RecordingFailed, carrying the figures of what was written, when a track or
        the merge could not be written.
        """
        if self._finishing is None:
            self._finishing = asyncio.ensure_future(self._finish_without_raising())
        outcome = await asyncio.shield(self._finishing)
        if isinstance(outcome, RecordingFailed):
            raise outcome
        return outcome

    async def _finish_without_raising(self) -> RecordingFigures | RecordingFailed:
        try:
            return await self._finish()
        except Exception as exc:
            log.exception("the recorder could not finish")
            return RecordingFailed(str(exc), self._live_figures())

    async def _finish(self) -> RecordingFigures | RecordingFailed:
        self._stopping = True
        stopped_at = self._clock()
        links = list(self._links.values())
        self._links.clear()
        await asyncio.gather(*(self._close(link) for link in links))
        await asyncio.gather(*self._background, return_exceptions=True)
        # A participant removed just before may still be closing: every track file must be complete.
        await asyncio.gather(*(recording.finish() for recording in self._recordings))
        problems = [
            f"{recording.participant_id} {recording.kind}: {recording.error}"
            for recording in self._recordings
            if recording.error is not None
        ]
        frames = self._video_frames_written()
        parts = [(recording.path, recording.title) for recording in self._recordings if recording.file_size() > 0]
        try:
            if parts:
                frames = await asyncio.to_thread(merge_tracks, parts, self._path)
            else:
                self._path.unlink(missing_ok=True)
        except Exception as exc:
            log.exception("the recorder could not merge its tracks into one file")
            problems.append(f"merge: {exc}")
            self._path.unlink(missing_ok=True)
        finally:
            for recording in self._recordings:
                recording.path.unlink(missing_ok=True)
        figures = RecordingFigures(
            started_at=self._started_at,
            duration_seconds=self._seconds_since_start(stopped_at),
            size_bytes=self._path.stat().st_size if self._path.exists() else 0,
            frames=frames,
            content_type=CONTENT_TYPE,
        )
        if problems:
            return RecordingFailed("; ".join(problems), figures)
        return figures

    def _watch(self, link: PeerLink) -> None:
        connection = link.connection

        @connection.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind not in ("audio", "video") or link.closed or self._stopping:
                return
            kind: Kind = "video" if track.kind == "video" else "audio"
            part = self._path.with_name(f"{self._path.name}.{len(self._recordings):02d}-{kind}.part")
            recording = TrackRecording(part, kind, link.participant_id)
            self._recordings.append(recording)
            link.recordings.append(recording)
            link.pumps.append(asyncio.ensure_future(self._pump(track, recording)))

        @connection.on("connectionstatechange")
        def on_state() -> None:
            log.info(
                "recorder connection %s",
                connection.connectionState,
                extra={"participantId": link.participant_id},
            )
            if connection.connectionState == "failed" and self._links.get(link.participant_id) is link:
                task = asyncio.ensure_future(self._drop(link))
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    async def _pump(self, track: MediaStreamTrack, recording: TrackRecording) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, VideoFrame | AudioFrame):
                recording.offer(frame, time.monotonic() - self._origin)

    async def _drop(self, link: PeerLink) -> None:
        if self._links.get(link.participant_id) is link:
            del self._links[link.participant_id]
        await self._close(link)

    async def _close(self, link: PeerLink) -> None:
        if link.closed:
            return
        link.closed = True
        try:
            await link.connection.close()
        except Exception:
            log.exception("the recorder could not close a connection", extra={"participantId": link.participant_id})
        await asyncio.gather(*link.pumps, return_exceptions=True)
        await asyncio.gather(*(recording.finish() for recording in link.recordings))

    def _video_frames_written(self) -> int:
        return sum(recording.frames_written for recording in self._recordings if recording.kind == "video")

    def _seconds_since_start(self, instant: datetime) -> float:
        return max(0.0, (instant - self._started_at).total_seconds())


def merge_tracks(parts: list[tuple[Path, str]], target: Path) -> int:
    """Copy every track file's stream into one file at `target`, interleaved by time; returns the video frames.

    Stream copy, no re-encoding: the tracks already hold their timestamps on the recording's
    timeline. The file appears at `target` only once complete. A track file cut short (its writer
    failed) contributes what can be read of it.
    """
    partial = target.with_name(target.name + ".partial")
    inputs: list[av.container.InputContainer] = []
    try:
        with av.open(str(partial), mode="w", format=CONTAINER_FORMAT) as output:
            sources: list[Iterator[tuple[float, int, av.Packet[av.stream.Stream], av.stream.Stream]]] = []
            for index, (path, title) in enumerate(parts):
                try:
                    source = av.open(str(path))
                except (av.FFmpegError, OSError):
                    log.exception("a track file the recorder cannot read", extra={"participantId": title})
                    continue
                inputs.append(source)
                if source.streams:
                    copy = output.add_stream_from_template(source.streams[0])
                    copy.metadata["title"] = title
                    sources.append(_timed_packets(source, index, copy))
            if not sources:
                raise ValueError("none of the track files could be read")
            video_frames = 0
            for _, _, packet, copy in heapq.merge(*sources, key=lambda timed: timed[:2]):
                packet.stream = copy
                output.mux(packet)
                if copy.type == "video":
                    video_frames += 1
        os.replace(partial, target)
        return video_frames
    finally:
        for source in inputs:
            source.close()
        partial.unlink(missing_ok=True)


def _timed_packets(
    source: av.container.InputContainer, index: int, copy: av.stream.Stream
) -> Iterator[tuple[float, int, av.Packet[av.stream.Stream], av.stream.Stream]]:
    stream = source.streams[0]
    try:
        for packet in source.demux(stream):
            timestamp = packet.dts if packet.dts is not None else packet.pts
            if timestamp is None or packet.time_base is None:
                continue
            yield float(timestamp * packet.time_base), index, packet, copy
    except av.FFmpegError:
        log.exception("a track file ends early", extra={"participantId": copy.metadata.get("title", "")})
