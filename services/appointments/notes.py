"""Consultation-note rules (pure): who writes and reads notes, and when they lock."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.appointments.booking import Status
from services.common.context import Principal, Role
from services.common.errors import FailedPrecondition

LOCK_AFTER = timedelta(hours=24)
CARE_WINDOW = timedelta(days=90)


def check_writable(status: Status, completed_at: datetime | None, now: datetime) -> None:
    """Notes are written once the consultation started, and changed until 24 hours after it ended
    (its actual end time, which completion records)."""
    if status not in (Status.IN_PROGRESS, Status.COMPLETED):
        raise FailedPrecondition(
            "notes are written once the consultation is in progress", reason="INVALID_TRANSITION",
            metadata={"status": status.value},
        )  # fmt: skip
    if locked(status, completed_at, now):
        raise FailedPrecondition("the notes are locked; add an addendum instead", reason="NOTES_LOCKED")


def locked(status: Status, completed_at: datetime | None, now: datetime) -> bool:
    return status is Status.COMPLETED and completed_at is not None and now - completed_at > LOCK_AFTER


def may_read(viewer: Principal, author_id: uuid.UUID, patient_id: uuid.UUID, consented: bool) -> bool:
    """The patient, the doctor who wrote them, and doctors the patient consented to (SPEC 2, 3.3)."""
    if viewer.role is Role.PATIENT:
        return viewer.user_id == patient_id
    if viewer.role is Role.DOCTOR:
        return viewer.user_id == author_id or consented
    return False


def within_care(open_appointments: int, last_appointment_at: datetime | None, now: datetime) -> bool:
    """A doctor's care relationship with a patient (SPEC 2): an open appointment, or 90 days after the last."""
    if open_appointments > 0:
        return True
    return last_appointment_at is not None and now - last_appointment_at <= CARE_WINDOW
