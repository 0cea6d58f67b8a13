"""The video service's rules without a database: the status machine, who joins and signals whom,
when joining opens, consent before recording, and TURN credentials in the REST-API-for-TURN form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.common.context import AccountStatus, Principal, Role
from services.common.errors import InvalidArgument, NotYours
from services.video.domain import sessions as rules
from services.video.domain.errors import (
    ConsentRequired,
    InvalidTransition,
    JoinNotOpen,
    NotPresent,
    NotTheOtherParticipant,
    RecordingState,
)
from services.video.domain.ice import IceConfig, ice_servers
from services.video.domain.sessions import RECORDER, RecordingStatus, Status
from services.video.domain.signals import EventType, addressed, signal

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def a_session(**fields: object) -> rules.VideoSession:
    session = rules.new_session(
        uuid.uuid4(),
        doctor_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        appointment_id=uuid.uuid4(),
        scheduled_start_time=START,
        now=START - timedelta(days=1),
    )
    return replace(session, **fields)  # type: ignore[arg-type]


def as_(participant: rules.Participant) -> Principal:
    return Principal(participant.participant_id, participant.role, AccountStatus.ACTIVE, "jti")


def test_joining_opens_fifteen_minutes_before_the_start() -> None:
    session = a_session()
    with pytest.raises(JoinNotOpen):
        rules.join(session, session.patient, START - timedelta(minutes=15, seconds=1))
    joined = rules.join(session, session.patient, START - timedelta(minutes=15))
    assert (joined.session.status, joined.started, joined.session.patient.present) == (Status.ACTIVE, False, True)


def test_the_consultation_starts_once_when_both_are_present_whoever_came_first() -> None:
    session = a_session()
    first = rules.join(session, session.doctor, START).session
    second = rules.join(first, first.patient, START + timedelta(minutes=2))
    assert (second.started, second.session.start_time) == (True, START + timedelta(minutes=2))
    left = rules.leave(second.session, second.session.patient, START + timedelta(minutes=3))
    back = rules.join(left, left.patient, START + timedelta(minutes=4))
    assert (back.started, back.session.start_time) == (False, START + timedelta(minutes=2))


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED])
def test_an_ended_session_takes_no_part_in_a_call(status: Status) -> None:
    session = a_session(status=status)
    with pytest.raises(InvalidTransition):
        rules.join(session, session.patient, START)
    with pytest.raises(InvalidTransition):
        rules.end(session, START)
    assert rules.cancel(session, "x", START) is None


def test_ending_completes_it_and_everyone_leaves() -> None:
    session = rules.join(a_session(), a_session().doctor, START).session
    session = rules.join(session, session.doctor, START).session
    ended = rules.end(session, START + timedelta(minutes=20))
    assert (ended.status, ended.end_time, ended.doctor.present) == (
        Status.COMPLETED,
        START + timedelta(minutes=20),
        False,
    )


def test_participants_are_exactly_its_doctor_and_its_patient() -> None:
    session = a_session()
    assert rules.participant_of(as_(session.doctor), session) == session.doctor
    stranger = Principal(uuid.uuid4(), Role.DOCTOR, AccountStatus.ACTIVE, "jti")
    with pytest.raises(NotYours):
        rules.participant_of(stranger, session)
    # The patient's id under another role is not the patient.
    impostor = Principal(session.patient.participant_id, Role.DOCTOR, AccountStatus.ACTIVE, "jti")
    with pytest.raises(NotYours):
        rules.participant_of(impostor, session)
    rules.check_readable(Principal(uuid.uuid4(), Role.SYSTEM_ADMIN, AccountStatus.ACTIVE, "jti"), session)


def test_a_scheduled_session_follows_its_appointments_estimate() -> None:
    session = a_session()
    later = START + timedelta(minutes=30)
    moved = rules.reschedule(session, later, START)
    assert moved is not None
    assert moved.scheduled_start_time == later
    assert rules.reschedule(moved, later, START) is None
    assert rules.reschedule(a_session(status=Status.ACTIVE), later, START) is None


def test_signals_go_from_a_present_participant_to_the_other_or_the_recorder() -> None:
    session = rules.join(a_session(), a_session().doctor, START).session
    session = replace(session, doctor=replace(session.doctor, present=True))
    doctor, patient = session.doctor, session.patient
    to_patient = addressed(
        session, doctor, EventType.OFFER, to=str(patient.participant_id).upper(), sdp="v=0", candidate=None
    )
    assert to_patient.to_participant_id == str(patient.participant_id)
    assert (
        addressed(session, doctor, EventType.ANSWER, to=RECORDER, sdp="v=0", candidate=None).to_participant_id
        == RECORDER
    )
    with pytest.raises(NotTheOtherParticipant):
        addressed(session, doctor, EventType.OFFER, to=str(doctor.participant_id), sdp="v=0", candidate=None)
    with pytest.raises(NotPresent):
        addressed(session, patient, EventType.OFFER, to=str(doctor.participant_id), sdp="v=0", candidate=None)


def test_a_signal_carries_what_its_type_needs() -> None:
    with pytest.raises(InvalidArgument) as caught:
        signal(EventType.HEARTBEAT, to_participant_id="", sdp="", candidate=None)
    assert {v.field for v in caught.value.violations} == {"type", "toParticipantId"}
    with pytest.raises(InvalidArgument):
        signal(EventType.ICE_CANDIDATE, to_participant_id=RECORDER, sdp="", candidate=None)


def test_recording_needs_an_active_session_both_consents_and_no_recording_running() -> None:
    session = a_session(status=Status.ACTIVE)
    with pytest.raises(ConsentRequired) as caught:
        rules.check_may_start_recording(rules.consent(session, session.doctor, True, START))
    assert caught.value.metadata == {"withoutConsent": "PATIENT"}
    both = rules.consent(rules.consent(session, session.doctor, True, START), session.patient, True, START)
    rules.check_may_start_recording(both)
    running = rules.with_recording(both, rules.Recording(RecordingStatus.RECORDING), START)
    for status in (RecordingStatus.RECORDING, RecordingStatus.STOPPED, RecordingStatus.FAILED):
        with pytest.raises(RecordingState):  # one recording per session: a second would replace the file
            rules.check_may_start_recording(rules.with_recording(both, rules.Recording(status), START))
    with pytest.raises(InvalidTransition):
        rules.check_may_start_recording(replace(both, status=Status.SCHEDULED))
    with pytest.raises(RecordingState):
        rules.check_downloadable(running)


def test_ice_servers_come_from_configuration_with_short_lived_turn_credentials() -> None:
    assert ice_servers(IceConfig(), "u1", START) == []
    config = IceConfig(
        stun_urls=("stun:stun.example.org:3478",), turn_urls=("turn:turn.example.org:3478",), turn_secret="s3cret"
    )
    stun, turn = ice_servers(config, "u1", START)
    assert (stun.urls, stun.username) == (("stun:stun.example.org:3478",), "")
    expiry = int((START + timedelta(hours=1)).timestamp())
    assert turn.username == f"{expiry}:u1"
    expected = base64.b64encode(hmac.new(b"s3cret", turn.username.encode(), hashlib.sha1).digest()).decode()
    assert turn.credential == expected
