"""Patients' medical profiles: their values, the checks of an edit, and looking a patient up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from services.common.fields import parse_date
from services.profile.domain.errors import LookupNeedsOneKey
from services.profile.domain.field_checks import EmergencyContact, ProfileChecks


@dataclass(frozen=True)
class Patient:
    id: uuid.UUID
    date_of_birth: date | None
    gender: str | None
    """`FEMALE`, `MALE`, `OTHER`, `UNDISCLOSED`, or None when not given."""
    address: str | None
    blood_group: str | None
    allergies: tuple[str, ...]
    chronic_conditions: tuple[str, ...]
    medical_history: str | None
    emergency_contacts: tuple[EmergencyContact, ...]
    insurance_provider: str | None
    preferred_doctor_ids: tuple[uuid.UUID, ...]
    preferred_clinic_ids: tuple[uuid.UUID, ...]
    first_name: str
    last_name: str
    update_time: datetime
    version: int


@dataclass(frozen=True)
class PatientMatch:
    """A patient found by a lookup: enough to pick the right one, nothing medical."""

    id: uuid.UUID
    first_name: str
    last_name: str


@dataclass(frozen=True)
class PatientChanges:
    """The fields a request sets, as the client wrote them; `requested` names them (SPEC 1's update rule)."""

    requested: frozenset[str] = frozenset()
    date_of_birth: str = ""
    gender: str | None = None
    address: str = ""
    blood_group: str = ""
    allergies: tuple[str, ...] = ()
    chronic_conditions: tuple[str, ...] = ()
    medical_history: str = ""
    emergency_contacts: tuple[EmergencyContact, ...] = ()
    insurance_provider: str = ""
    preferred_doctor_ids: tuple[str, ...] = ()
    preferred_clinic_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatientUpdate:
    """Checked changes, parsed into what is stored; only the `requested` fields are written."""

    requested: frozenset[str]
    date_of_birth: date | None
    gender: str | None
    address: str
    blood_group: str
    allergies: tuple[str, ...]
    chronic_conditions: tuple[str, ...]
    medical_history: str
    emergency_contacts: tuple[EmergencyContact, ...]
    insurance_provider: str
    preferred_doctor_ids: tuple[uuid.UUID, ...]
    preferred_clinic_ids: tuple[uuid.UUID, ...]


def check_patient_changes(changes: PatientChanges, today: date) -> PatientUpdate:
    """Every bad field reported at once (VALIDATION_FAILED), or the changes as they are stored."""
    checks = ProfileChecks()
    checks.past_date("dateOfBirth", changes.date_of_birth, today)
    checks.blood_group("bloodGroup", changes.blood_group)
    checks.text("address", changes.address, 500)
    checks.text("insuranceProvider", changes.insurance_provider, 500)
    checks.text("medicalHistory", changes.medical_history, 20_000)
    checks.contacts("emergencyContacts", changes.emergency_contacts)
    checks.uuids("preferredDoctorIds", changes.preferred_doctor_ids)
    checks.uuids("preferredClinicIds", changes.preferred_clinic_ids)
    checks.done()
    return PatientUpdate(
        requested=changes.requested,
        date_of_birth=parse_date(changes.date_of_birth) if changes.date_of_birth else None,
        gender=changes.gender,
        address=changes.address,
        blood_group=changes.blood_group,
        allergies=changes.allergies,
        chronic_conditions=changes.chronic_conditions,
        medical_history=changes.medical_history,
        emergency_contacts=changes.emergency_contacts,
        insurance_provider=changes.insurance_provider,
        preferred_doctor_ids=tuple(uuid.UUID(value) for value in changes.preferred_doctor_ids),
        preferred_clinic_ids=tuple(uuid.UUID(value) for value in changes.preferred_clinic_ids),
    )


@dataclass(frozen=True)
class PatientLookup:
    """A lookup by exactly one of an email (case-insensitive) and a phone number."""

    email: str
    phone: str


def patient_lookup(email: str, phone: str) -> PatientLookup:
    if bool(email.strip()) == bool(phone.strip()):
        raise LookupNeedsOneKey()
    return PatientLookup(email=email.strip().lower(), phone=phone.strip())
