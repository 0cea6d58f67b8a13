"""The appointments a prescription may be issued in: the facts this service keeps of each (from
appointment events, or re-read from the appointments service when they lag) and the rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.common.context import Principal, Role
from services.common.errors import NotYours
from services.prescriptions.domain.errors import AppointmentNotInConsultation

PRESCRIBABLE = frozenset({"IN_PROGRESS", "COMPLETED"})
"""A prescription is issued while the consultation runs or after it (SPEC 3.4)."""


@dataclass(frozen=True)
class AppointmentFacts:
    """What prescribing needs to know of an appointment."""

    id: uuid.UUID
    doctor_id: uuid.UUID
    patient_id: uuid.UUID
    clinic_id: uuid.UUID | None
    status: str
    time_zone: str


def may_prescribe_in(viewer: Principal, appointment: AppointmentFacts) -> bool:
    """True when the viewer may prescribe in it now; False when it may be a lagging copy that a fresh
    read could change (the status). Someone else's appointment is refused for good."""
    check_its_doctor(viewer, appointment)
    return appointment.status in PRESCRIBABLE


def check_its_doctor(viewer: Principal, appointment: AppointmentFacts) -> None:
    """An appointment's doctor never changes (a reschedule is a new appointment)."""
    if not (viewer.role is Role.DOCTOR and viewer.user_id == appointment.doctor_id):
        raise NotYours()


def check_prescribable(viewer: Principal, appointment: AppointmentFacts) -> None:
    """The rule on a fresh read: its doctor, in consultation or after it."""
    if not may_prescribe_in(viewer, appointment):
        raise AppointmentNotInConsultation(appointment.status)


def is_party(viewer: Principal, appointment: AppointmentFacts) -> bool:
    return viewer.user_id in (appointment.patient_id, appointment.doctor_id)
