"""Doctors in the directory: their values, who sees which, and the checks of an edit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.common.context import Principal, Role
from services.common.fields import Checks, parse_money


@dataclass(frozen=True)
class ClinicSummary:
    """A clinic a doctor is affiliated with (confirmed)."""

    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Doctor:
    id: uuid.UUID
    first_name: str
    last_name: str
    specialization: str | None
    qualifications: tuple[str, ...]
    license_number: str | None
    years_of_experience: int | None
    bio: str | None
    consultation_fee: Decimal | None
    currency: str | None
    time_zone: str | None
    languages: tuple[str, ...]
    offers_virtual: bool
    verified: bool
    """The account is ACTIVE (approved), as the auth service's events last said."""
    average_rating: Decimal
    rating_count: int
    clinics: tuple[ClinicSummary, ...]
    update_time: datetime
    version: int


@dataclass(frozen=True)
class DoctorChanges:
    """The fields a request sets, as the client wrote them; `requested` names them (SPEC 1's update rule)."""

    requested: frozenset[str] = frozenset()
    specialization: str = ""
    qualifications: tuple[str, ...] = ()
    license_number: str = ""
    years_of_experience: int | None = None
    bio: str = ""
    consultation_fee: str = ""
    currency: str = ""
    time_zone: str = ""
    languages: tuple[str, ...] = ()
    offers_virtual: bool = False


@dataclass(frozen=True)
class DoctorUpdate:
    """Checked changes as they are stored (an empty text clears the field); only `requested` fields are written."""

    requested: frozenset[str]
    specialization: str | None
    qualifications: tuple[str, ...]
    license_number: str | None
    years_of_experience: int | None
    bio: str | None
    consultation_fee: Decimal | None
    currency: str | None
    time_zone: str | None
    languages: tuple[str, ...]
    offers_virtual: bool

    @property
    def requested_license(self) -> str | None:
        return self.license_number if "license_number" in self.requested else None


def check_doctor_changes(changes: DoctorChanges) -> DoctorUpdate:
    """Every bad field reported at once (VALIDATION_FAILED), or the changes as they are stored."""
    checks = Checks()
    checks.text("specialization", changes.specialization, 200)
    checks.text("licenseNumber", changes.license_number, 100)
    checks.text("bio", changes.bio, 5000)
    checks.between("yearsOfExperience", changes.years_of_experience, 0, 80)
    checks.money("consultationFee", changes.consultation_fee)
    checks.currency("currency", changes.currency)
    checks.time_zone("timeZone", changes.time_zone)
    checks.done()
    return DoctorUpdate(
        requested=changes.requested,
        specialization=changes.specialization or None,
        qualifications=changes.qualifications,
        license_number=changes.license_number or None,
        years_of_experience=changes.years_of_experience,
        bio=changes.bio or None,
        consultation_fee=parse_money(changes.consultation_fee) if changes.consultation_fee else None,
        currency=changes.currency or None,
        time_zone=changes.time_zone or None,
        languages=changes.languages,
        offers_virtual=changes.offers_virtual,
    )


def sees_unverified_doctors(viewer: Principal, requested: bool | None) -> bool:
    """Patients only ever see verified doctors; others see unverified ones when they ask (SPEC 3.2)."""
    return viewer.role is not Role.PATIENT and requested is False


def visible_to(viewer: Principal, doctor: Doctor) -> bool:
    """An unverified doctor does not exist for patients; the doctor always sees their own entry."""
    return doctor.verified or viewer.role is not Role.PATIENT or viewer.user_id == doctor.id
