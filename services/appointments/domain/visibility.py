"""Who sees what of an appointment (pure): its patient, its doctor and its clinic's admin see it;
its clinical notes are for the patient and the doctor only, and never leave in an event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.appointments.domain.booking import Appointment, Status
from services.common.context import Principal, Role
from services.common.errors import NotYours


def is_its_patient(viewer: Principal, appointment: Appointment) -> bool:
    return viewer.role is Role.PATIENT and appointment.patient_id == viewer.user_id


def is_its_doctor(viewer: Principal, appointment: Appointment) -> bool:
    return viewer.role is Role.DOCTOR and appointment.doctor_id == viewer.user_id


def is_its_clinic_admin(viewer: Principal, appointment: Appointment) -> bool:
    return viewer.role is Role.CLINIC_ADMIN and appointment.clinic_admin_id == viewer.user_id


def may_see(viewer: Principal, appointment: Appointment) -> bool:
    """Its patient, its doctor and the admin of its clinic; nobody else, whatever their role."""
    return (
        is_its_patient(viewer, appointment)
        or is_its_doctor(viewer, appointment)
        or is_its_clinic_admin(viewer, appointment)
    )


def sees_clinical_notes(viewer: Principal) -> bool:
    """Doctor notes are clinical: the patient and the doctor see them, a clinic admin never."""
    return viewer.role is not Role.CLINIC_ADMIN


def as_seen_by(viewer: Principal, appointment: Appointment) -> Appointment:
    return appointment if sees_clinical_notes(viewer) else appointment.without_clinical_notes()


def as_published(appointment: Appointment) -> Appointment:
    """An appointment in an event: subscribers get no clinical free text."""
    return appointment.without_clinical_notes()


@dataclass(frozen=True)
class AppointmentQuery:
    """What a list of appointments asks for: each value given must match."""

    patient_id: uuid.UUID | None = None
    doctor_id: uuid.UUID | None = None
    clinic_id: uuid.UUID | None = None
    day: date | None = None
    status: Status | None = None
    upcoming: bool = False


@dataclass(frozen=True)
class Scope:
    """Whose appointments a viewer lists: their own as patient or doctor, their clinic's as its admin."""

    patient_id: uuid.UUID | None = None
    doctor_id: uuid.UUID | None = None
    clinic_admin_id: uuid.UUID | None = None


def scope_of(viewer: Principal, query: AppointmentQuery) -> Scope:
    """A list holds only what its viewer may see; asking for another patient's or doctor's is refused."""
    if viewer.role is Role.PATIENT:
        if query.patient_id not in (None, viewer.user_id):
            raise NotYours()
        return Scope(patient_id=viewer.user_id)
    if viewer.role is Role.DOCTOR:
        if query.doctor_id not in (None, viewer.user_id):
            raise NotYours()
        return Scope(doctor_id=viewer.user_id)
    return Scope(clinic_admin_id=viewer.user_id)
