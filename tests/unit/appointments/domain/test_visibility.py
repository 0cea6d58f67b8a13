from __future__ import annotations

import uuid

import pytest

from services.appointments.domain.booking import Status
from services.appointments.domain.visibility import (
    AppointmentQuery,
    Scope,
    as_published,
    as_seen_by,
    may_see,
    scope_of,
)
from services.common.context import Role
from services.common.errors import NotYours
from tests.unit.appointments.factories import appointment, principal


def test_its_patient_doctor_and_clinic_admin_see_an_appointment_and_nobody_else() -> None:
    admin = uuid.uuid4()
    seen = appointment(clinic_id=uuid.uuid4(), clinic_admin_id=admin)
    assert may_see(principal(Role.PATIENT, seen.patient_id), seen)
    assert may_see(principal(Role.DOCTOR, seen.doctor_id), seen)
    assert may_see(principal(Role.CLINIC_ADMIN, admin), seen)
    assert not may_see(principal(Role.PATIENT), seen)
    assert not may_see(principal(Role.DOCTOR, seen.patient_id), seen)  # the right id in the wrong role
    assert not may_see(principal(Role.CLINIC_ADMIN), seen)


def test_doctor_notes_are_for_the_patient_and_the_doctor_only() -> None:
    seen = appointment(doctor_notes="rest")
    assert as_seen_by(principal(Role.PATIENT, seen.patient_id), seen).doctor_notes == "rest"
    assert as_seen_by(principal(Role.DOCTOR, seen.doctor_id), seen).doctor_notes == "rest"
    assert as_seen_by(principal(Role.CLINIC_ADMIN), seen).doctor_notes == ""


def test_an_event_carries_no_clinical_notes() -> None:
    published = as_published(appointment(doctor_notes="rest"))
    assert (published.doctor_notes, published.status) == ("", Status.BOOKED)


def test_a_list_holds_what_its_viewer_may_see() -> None:
    patient, doctor, admin = principal(Role.PATIENT), principal(Role.DOCTOR), principal(Role.CLINIC_ADMIN)
    assert scope_of(patient, AppointmentQuery()) == Scope(patient_id=patient.user_id)
    assert scope_of(patient, AppointmentQuery(patient_id=patient.user_id)) == Scope(patient_id=patient.user_id)
    assert scope_of(doctor, AppointmentQuery(patient_id=uuid.uuid4())) == Scope(doctor_id=doctor.user_id)
    assert scope_of(admin, AppointmentQuery(doctor_id=uuid.uuid4())) == Scope(clinic_admin_id=admin.user_id)
    with pytest.raises(NotYours):
        scope_of(patient, AppointmentQuery(patient_id=uuid.uuid4()))
    with pytest.raises(NotYours):
        scope_of(doctor, AppointmentQuery(doctor_id=uuid.uuid4()))
