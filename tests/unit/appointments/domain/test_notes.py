from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.appointments.domain.booking import Status
from services.appointments.domain.errors import NotesBeforeConsultation, NotesLocked
from services.appointments.domain.notes import (
    Addendum,
    Notes,
    NotesChange,
    addendum_text,
    check_change,
    check_writable,
    history_entry,
    locked,
    may_read,
    with_sent_vital_signs,
)
from services.common.context import Role
from services.common.errors import InvalidArgument
from tests.unit.appointments.factories import appointment, principal

ENDED = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def notes_of(appointment_id: uuid.UUID, doctor_id: uuid.UUID, patient_id: uuid.UUID) -> Notes:
    return Notes(
        appointment_id, doctor_id, patient_id, "headache", "migraine", "rest", {}, False, None, "", 1, ENDED, ENDED
    )


def test_notes_are_written_from_the_start_of_the_consultation_until_a_day_after_it_ended() -> None:
    with pytest.raises(NotesBeforeConsultation) as raised:
        check_writable(Status.CHECKED_IN, None, ENDED)
    assert (raised.value.reason, raised.value.metadata) == ("INVALID_TRANSITION", {"status": "CHECKED_IN"})
    check_writable(Status.IN_PROGRESS, None, ENDED)
    check_writable(Status.COMPLETED, ENDED, ENDED + timedelta(hours=24))
    with pytest.raises(NotesLocked):
        check_writable(Status.COMPLETED, ENDED, ENDED + timedelta(hours=24, seconds=1))
    assert not locked(Status.COMPLETED, None, ENDED + timedelta(days=9))


def test_the_patient_their_doctor_and_doctors_they_consented_to_read_notes() -> None:
    patient, author = principal(Role.PATIENT), principal(Role.DOCTOR)
    assert may_read(patient, author.user_id, patient.user_id, consented=False)
    assert may_read(author, author.user_id, patient.user_id, consented=False)
    assert not may_read(principal(Role.DOCTOR), author.user_id, patient.user_id, consented=False)
    assert may_read(principal(Role.DOCTOR), author.user_id, patient.user_id, consented=True)
    assert not may_read(principal(Role.PATIENT), author.user_id, patient.user_id, consented=True)
    assert not may_read(principal(Role.CLINIC_ADMIN), author.user_id, patient.user_id, consented=True)


def test_vital_signs_sent_are_recorded_without_being_named_in_the_mask() -> None:
    sent = with_sent_vital_signs(NotesChange(frozenset({"diagnosis"}), diagnosis="flu", vital_signs={"bp": "120/80"}))
    assert sent.values() == {"diagnosis": "flu", "vital_signs": {"bp": "120/80"}}
    masked_empty = with_sent_vital_signs(NotesChange(frozenset({"vital_signs"})))
    assert masked_empty.values() == {"vital_signs": {}}  # named and empty: cleared
    assert with_sent_vital_signs(NotesChange(frozenset({"diagnosis"}))).values() == {"diagnosis": ""}


def test_a_change_reports_every_field_out_of_bounds() -> None:
    change = NotesChange(
        frozenset({"diagnosis", "follow_up_in_days", "vital_signs"}),
        diagnosis="x" * 5001,
        follow_up_in_days=366,
        vital_signs={str(n): "1" for n in range(51)},
    )
    with pytest.raises(InvalidArgument) as raised:
        check_change(change)
    assert {v.field for v in raised.value.violations} == {"diagnosis", "followUpInDays", "vitalSigns"}
    check_change(NotesChange(frozenset({"treatment_plan"}), treatment_plan="x" * 5000, diagnosis="x" * 9000))


def test_an_addendum_is_trimmed_text_of_1_to_5000_characters() -> None:
    assert addendum_text("  also dehydrated ") == "also dehydrated"
    for bad in ("   ", "x" * 5001):
        with pytest.raises(InvalidArgument):
            addendum_text(bad)


def test_a_visit_in_the_history_shows_its_notes_only_to_who_may_read_them() -> None:
    visit = appointment(status=Status.COMPLETED, actual_end_time=ENDED, doctor_notes="rest")
    notes = notes_of(visit.id, visit.doctor_id, visit.patient_id)
    addenda = [
        Addendum(uuid.uuid4(), visit.id, visit.doctor_id, "mine", ENDED),
        Addendum(uuid.uuid4(), uuid.uuid4(), visit.doctor_id, "another visit's", ENDED),
    ]
    later = ENDED + timedelta(days=2)
    own = history_entry(principal(Role.PATIENT, visit.patient_id), visit, notes, addenda, consented=False, now=later)
    assert own.appointment.doctor_notes == "rest"
    assert own.notes is not None
    assert ([a.text for a in own.notes.addenda], own.notes.locked) == (["mine"], True)
    other = history_entry(principal(Role.DOCTOR), visit, notes, addenda, consented=False, now=later)
    assert (other.appointment.doctor_notes, other.notes) == ("", None)
    unwritten = history_entry(principal(Role.PATIENT, visit.patient_id), visit, None, [], consented=False, now=later)
    assert (unwritten.appointment.doctor_notes, unwritten.notes) == ("", None)
