"""The directory this service keeps of other services' entities: doctors, clinics, affiliations,
consents and account states, as their events describe them (newest version wins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from services.common.context import AccountStatus, Role

CONFIRMED = "CONFIRMED"
ENDED = "ENDED"


def display_name(first: str | None, last: str | None) -> str:
    """A person's name as appointments and sessions show it: the parts present, space-separated."""
    return " ".join(p for p in (first, last) if p)


@dataclass(frozen=True)
class Doctor:
    """A doctor as the profile service last described them, with their account's status from auth."""

    id: uuid.UUID
    first_name: str
    last_name: str
    specialization: str
    consultation_fee: Decimal
    currency: str
    time_zone: str
    offers_virtual: bool
    version: int
    account_status: str | None = None

    @property
    def active(self) -> bool:
        return self.account_status == AccountStatus.ACTIVE


@dataclass(frozen=True)
class Clinic:
    id: uuid.UUID
    admin_id: uuid.UUID
    name: str
    time_zone: str
    currency: str
    active: bool
    version: int


@dataclass(frozen=True)
class Affiliation:
    """A doctor's place at a clinic: PENDING, CONFIRMED or ENDED."""

    clinic_id: uuid.UUID
    doctor_id: uuid.UUID
    status: str
    version: int

    @property
    def ended(self) -> bool:
        return self.status == ENDED


@dataclass(frozen=True)
class Consent:
    """A patient's consent for a doctor to read notes other doctors wrote."""

    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    granted: bool
    version: int


@dataclass(frozen=True)
class AccountChange:
    """An account's new status, as an auth event tells it."""

    user_id: uuid.UUID
    role: str
    status: str

    @property
    def doctor_gone(self) -> bool:
        """A suspended doctor sees nobody (SPEC: a doctor suspended is a cancellation from the clinic
        side). One who needs approval again (a new licence number) keeps their bookings: they cannot
        act until approved again, and patients cannot book them meanwhile."""
        return self.role == Role.DOCTOR and self.status == AccountStatus.SUSPENDED
