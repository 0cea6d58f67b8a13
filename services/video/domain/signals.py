"""Signalling: which signals a participant may send to whom, and what each must carry (SPEC 3.6)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.fields import Checks
from services.video.domain.errors import NotPresent, NotTheOtherParticipant
from services.video.domain.sessions import RECORDER, Participant, VideoSession, check_open

MAX_SDP = 65536


class EventType(enum.StrEnum):
    """What a participant's events stream delivers (the seed's socket events)."""

    PARTICIPANT_JOINED = "PARTICIPANT_JOINED"
    PARTICIPANT_LEFT = "PARTICIPANT_LEFT"
    OFFER = "OFFER"
    ANSWER = "ANSWER"
    ICE_CANDIDATE = "ICE_CANDIDATE"
    SESSION_STARTED = "SESSION_STARTED"
    SESSION_ENDED = "SESSION_ENDED"
    RECORDING_STARTED = "RECORDING_STARTED"
    RECORDING_STOPPED = "RECORDING_STOPPED"
    HEARTBEAT = "HEARTBEAT"


SIGNALS = frozenset({EventType.OFFER, EventType.ANSWER, EventType.ICE_CANDIDATE})


@dataclass(frozen=True)
class Candidate:
    candidate: str
    sdp_mid: str
    sdp_m_line_index: int


@dataclass(frozen=True)
class Signal:
    """A checked signal from one participant (or the recorder) to another (or the recorder)."""

    type: EventType
    from_participant_id: str
    to_participant_id: str
    sdp: str = ""
    candidate: Candidate | None = None


def signal(
    type_: EventType | None, *, to_participant_id: str, sdp: str, candidate: Candidate | None
) -> tuple[EventType, str, str, Candidate | None]:
    """Check a signal's shape: an OFFER or ANSWER carries a session description, an ICE_CANDIDATE a
    candidate; the addressee is named."""
    checks = Checks()
    if type_ not in SIGNALS:
        checks.errors.add("type", "must be OFFER, ANSWER or ICE_CANDIDATE")
    if not to_participant_id:
        checks.errors.add("toParticipantId", "is required")
    if type_ in (EventType.OFFER, EventType.ANSWER) and not sdp.strip():
        checks.errors.add("sdp", "is required for an OFFER or an ANSWER")
    if type_ is EventType.ICE_CANDIDATE and candidate is None:
        checks.errors.add("candidate", "is required for an ICE_CANDIDATE")
    checks.done()
    assert type_ is not None
    return type_, to_participant_id, sdp, candidate


def addressed(
    session: VideoSession, sender: Participant, type_: EventType, *, to: str, sdp: str, candidate: Candidate | None
) -> Signal:
    """A present participant signals the other participant, or the recorder."""
    check_open(session, "carry signals")
    if not sender.present:
        raise NotPresent()
    if to == RECORDER:
        return Signal(type_, str(sender.participant_id), RECORDER, sdp, candidate)
    other = session.other_than(sender.participant_id)
    if _uuid(to) != other.participant_id:
        raise NotTheOtherParticipant()
    return Signal(type_, str(sender.participant_id), str(other.participant_id), sdp, candidate)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class LiveEvent:
    """One event of a session's live channel: a signal, a presence change, the start or end, the
    recording; `to_participant_id` empty means every participant's stream shows it."""

    type: EventType
    time: datetime
    from_participant_id: str = ""
    to_participant_id: str = ""
    participant_id: str = ""
    sdp: str = ""
    candidate: Candidate | None = None

    def for_participant(self, participant_id: str) -> bool:
        return not self.to_participant_id or self.to_participant_id == participant_id


def live_signal(signal: Signal, now: datetime) -> LiveEvent:
    return LiveEvent(
        signal.type,
        now,
        from_participant_id=signal.from_participant_id,
        to_participant_id=signal.to_participant_id,
        sdp=signal.sdp,
        candidate=signal.candidate,
    )


def presence(type_: EventType, participant_id: uuid.UUID, now: datetime) -> LiveEvent:
    return LiveEvent(type_, now, participant_id=str(participant_id))
