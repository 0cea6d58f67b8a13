"""Consultation-note rules (pure): the notes and their addenda, who writes and reads them, when they lock."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.appointments.domain.booking import Appointment, Status
from services.appointments.domain.errors import NotesBeforeConsultation, NotesLocked
from services.common.context import Principal, Role
from services.common.errors import ValidationErrors, invalid_field
from services.common.json_names import json_name

LOCK_AFTER = timedelta(hours=24)
TEXT_LIMITS = {"chief_complaint": 2000, "diagnosis": 5000, "treatment_plan": 5000, "follow_up_instructions": 2000}
MAX_VITAL_SIGNS = 50
ADDENDUM_LIMIT = 5000


@dataclass(frozen=True)
class Notes:
    """The consultation notes of one appointment, as written (and changed until they lock)."""

    appointment_id: uuid.UUID
    doctor_id: uuid.UUID
    patient_id: uuid.UUID
    chief_complaint: str
    diagnosis: str
    treatment_plan: str
    vital_signs: Mapping[str, str]
    follow_up_required: bool
    follow_up_in_days: int | None
    follow_up_instructions: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Addendum:
    """A correction appended to notes, which are never changed once locked."""

    id: uuid.UUID
    appointment_id: uuid.UUID
    author_id: uuid.UUID
    text: str
    created_at: datetime


@dataclass(frozen=True)
class NotesRecord:
    """Notes as read: with their addenda, and whether they are locked."""

    notes: Notes
    addenda: list[Addendum]
    locked: bool


@dataclass(frozen=True)
class NotesChange:
    """What an update writes: the fields named in `fields`, with their new values (`vital_signs`: the
    map the request sent, written when named or, see `with_sent_vital_signs`, when not empty)."""

    fields: frozenset[str]
    chief_complaint: str = ""
    diagnosis: str = ""
    treatment_plan: str = ""
    vital_signs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    follow_up_required: bool = False
    follow_up_in_days: int | None = None
    follow_up_instructions: str = ""

    def values(self) -> dict[str, object]:
        """Column name -> new value, for the fields this change writes."""
        return {name: getattr(self, name) for name in sorted(self.fields)}


def with_sent_vital_signs(change: NotesChange) -> NotesChange:
    """Vital signs sent are recorded even when the update mask does not name them (a map field
    otherwise changes only when masked): new vitals are added to the record."""
    if change.vital_signs and "vital_signs" not in change.fields:
        return dataclasses.replace(change, fields=change.fields | {"vital_signs"})
    return change


def check_change(change: NotesChange) -> None:
    errors = ValidationErrors()
    values = change.values()
    for field, limit in TEXT_LIMITS.items():
        text = values.get(field)
        if isinstance(text, str) and len(text) > limit:
            errors.add(json_name(field), f"must be at most {limit} characters")
    if "follow_up_in_days" in change.fields:
        days = change.follow_up_in_days
        if days is not None and not 0 <= days <= 365:
            errors.add("followUpInDays", "must be between 0 and 365")
    if "vital_signs" in change.fields and len(change.vital_signs) > MAX_VITAL_SIGNS:
        errors.add("vitalSigns", f"at most {MAX_VITAL_SIGNS} entries")
    errors.raise_if_any()


def check_writable(status: Status, completed_at: datetime | None, now: datetime) -> None:
    """Notes are written once the consultation started, and changed until 24 hours after it ended
    (its actual end time, which completion records)."""
    if status not in (Status.IN_PROGRESS, Status.COMPLETED):
        raise NotesBeforeConsultation(status.value)
    if locked(status, completed_at, now):
        raise NotesLocked()


def locked(status: Status, completed_at: datetime | None, now: datetime) -> bool:
    return status is Status.COMPLETED and completed_at is not None and now - completed_at > LOCK_AFTER


def record_of(notes: Notes, addenda: list[Addendum], appointment: Appointment, now: datetime) -> NotesRecord:
    return NotesRecord(notes, addenda, locked(appointment.status, appointment.actual_end_time, now))


def may_read(viewer: Principal, author_id: uuid.UUID, patient_id: uuid.UUID, consented: bool) -> bool:
    """The patient, the doctor who wrote them, and doctors the patient consented to (SPEC 2, 3.3)."""
    if viewer.role is Role.PATIENT:
        return viewer.user_id == patient_id
    if viewer.role is Role.DOCTOR:
        return viewer.user_id == author_id or consented
    return False


@dataclass(frozen=True)
class HistoryEntry:
    """A completed visit in a patient's history, with its notes when the reader may see them."""

    appointment: Appointment
    notes: NotesRecord | None


def history_entry(
    viewer: Principal,
    appointment: Appointment,
    notes: Notes | None,
    addenda: list[Addendum],
    *,
    consented: bool,
    now: datetime,
) -> HistoryEntry:
    """The visit as the reader may see it: notes (and the appointment's doctor notes) only if they
    may read the notes of that visit."""
    if notes is None or not may_read(viewer, appointment.doctor_id, appointment.patient_id, consented):
        return HistoryEntry(appointment.without_clinical_notes(), None)
    mine = [a for a in addenda if a.appointment_id == appointment.id]
    return HistoryEntry(
        appointment, NotesRecord(notes, mine, locked(Status.COMPLETED, appointment.actual_end_time, now))
    )


def addendum_text(text: str) -> str:
    """An addendum's text as stored: 1 to 5000 characters, trimmed."""
    if not text.strip() or len(text) > ADDENDUM_LIMIT:
        raise invalid_field("text", f"must be 1 to {ADDENDUM_LIMIT} characters")
    return text.strip()
