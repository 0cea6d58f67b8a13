"""Account rules (pure): who may register as what, what a new account must carry, status changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.auth.domain.errors import (
    INVALID_TIME_ZONE,
    ROLE_NOT_SELF_REGISTRABLE,
    CannotSuspendSelf,
    InvalidTransition,
)
from services.auth.domain.passwords import check_password
from services.common.context import AccountStatus, Role
from services.common.errors import ValidationErrors
from services.common.fields import EMAIL, PHONE, is_time_zone

NAME_MAX = 100
SELF_REGISTRABLE = frozenset({Role.PATIENT, Role.DOCTOR, Role.CLINIC_ADMIN, Role.PHARMACY})


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    address: str
    phone: str
    time_zone: str


@dataclass(frozen=True)
class PharmacyDetails:
    name: str
    license_number: str
    address: str
    phone: str


@dataclass(frozen=True)
class NewAccount:
    """A registration or an administrator's account creation, as received."""

    email: str
    password: str
    role: Role | None
    first_name: str
    last_name: str
    phone_number: str
    clinic: ClinicDetails | None = None
    pharmacy: PharmacyDetails | None = None


@dataclass(frozen=True)
class Account:
    """An account as stored."""

    id: uuid.UUID
    email: str
    role: Role
    status: AccountStatus
    first_name: str
    last_name: str
    phone_number: str
    create_time: datetime
    version: int
    status_before_suspension: AccountStatus | None = None


@dataclass(frozen=True)
class Credentials:
    """An account with the hash its password is checked against."""

    account: Account
    password_hash: str


def normalize_email(email: str) -> str:
    """Emails are trimmed and compared case-insensitively, so they are stored lower-cased."""
    return email.strip().lower()


def initial_status(role: Role, *, created_by_admin: bool) -> AccountStatus:
    """Patients (and accounts an administrator creates) are ACTIVE; professionals wait for approval."""
    if created_by_admin or role is Role.PATIENT:
        return AccountStatus.ACTIVE
    return AccountStatus.PENDING_APPROVAL


def _check_clinic(errors: ValidationErrors, clinic: ClinicDetails) -> None:
    if not clinic.name.strip():
        errors.add("clinic.name", "is required")
    if not clinic.time_zone:
        errors.add("clinic.timeZone", "is required")
    elif not is_time_zone(clinic.time_zone):
        errors.add("clinic.timeZone", f"{clinic.time_zone[:64]!r} is not an IANA time zone", INVALID_TIME_ZONE)
    if clinic.phone and not PHONE.match(clinic.phone):
        errors.add("clinic.phone", "is not a phone number")


def _check_pharmacy(errors: ValidationErrors, pharmacy: PharmacyDetails) -> None:
    if not pharmacy.name.strip():
        errors.add("pharmacy.name", "is required")
    if not pharmacy.license_number.strip():
        errors.add("pharmacy.licenseNumber", "is required")
    if pharmacy.phone and not PHONE.match(pharmacy.phone):
        errors.add("pharmacy.phone", "is not a phone number")


def _check_identity(errors: ValidationErrors, account: NewAccount) -> None:
    email = normalize_email(account.email)
    if not email:
        errors.add("email", "is required")
    elif len(email) > 254 or not EMAIL.match(email):
        errors.add("email", "is not an email address")
    check_password(errors, "password", account.password)
    for field, value in (("firstName", account.first_name), ("lastName", account.last_name)):
        if not value.strip():
            errors.add(field, "is required")
        elif len(value) > NAME_MAX:
            errors.add(field, f"must be at most {NAME_MAX} characters")
    if account.phone_number and not PHONE.match(account.phone_number.strip()):
        errors.add("phoneNumber", "is not a phone number")


def _check_organisation(errors: ValidationErrors, account: NewAccount) -> None:
    """A CLINIC_ADMIN brings a clinic and a PHARMACY a pharmacy; nobody else brings either."""
    if account.role is Role.CLINIC_ADMIN:
        if account.clinic is None:
            errors.add("clinic", "is required for a CLINIC_ADMIN")
        else:
            _check_clinic(errors, account.clinic)
    elif account.clinic is not None:
        errors.add("clinic", "is only accepted for a CLINIC_ADMIN")
    if account.role is Role.PHARMACY:
        if account.pharmacy is None:
            errors.add("pharmacy", "is required for a PHARMACY")
        else:
            _check_pharmacy(errors, account.pharmacy)
    elif account.pharmacy is not None:
        errors.add("pharmacy", "is only accepted for a PHARMACY")


def validate_new_account(account: NewAccount, *, self_registration: bool) -> None:
    """Raise INVALID_ARGUMENT naming every bad field of a new account."""
    errors = ValidationErrors()
    _check_identity(errors, account)
    if account.role is None:
        errors.add("role", "is required: PATIENT, DOCTOR, CLINIC_ADMIN or PHARMACY")
    elif self_registration and account.role not in SELF_REGISTRABLE:
        errors.add("role", f"{account.role} accounts cannot self-register", ROLE_NOT_SELF_REGISTRABLE)
    _check_organisation(errors, account)
    errors.raise_if_any()


def approved(account: Account) -> AccountStatus:
    """An account waiting for approval becomes ACTIVE."""
    if account.status is not AccountStatus.PENDING_APPROVAL:
        raise InvalidTransition(
            f"only accounts waiting for approval can be approved; this one is {account.status}", account.status
        )
    return AccountStatus.ACTIVE


def suspended(account: Account, actor_id: uuid.UUID) -> AccountStatus:
    """Any account but the acting administrator's own can be suspended, once."""
    if account.id == actor_id:
        raise CannotSuspendSelf()
    if account.status is AccountStatus.SUSPENDED:
        raise InvalidTransition("the account is already suspended", account.status)
    return AccountStatus.SUSPENDED


def approval_revoked(account: Account) -> tuple[AccountStatus, AccountStatus | None]:
    """Status and status-before-suspension once approval is withdrawn (a license changed).

    An active account waits for approval again; a suspended one will return to waiting, not to active.
    """
    if account.status is AccountStatus.ACTIVE:
        return AccountStatus.PENDING_APPROVAL, None
    if account.status is AccountStatus.SUSPENDED and account.status_before_suspension is AccountStatus.ACTIVE:
        return AccountStatus.SUSPENDED, AccountStatus.PENDING_APPROVAL
    return account.status, account.status_before_suspension


def reactivated(account: Account) -> AccountStatus:
    """Reactivation restores the status held before the suspension."""
    if account.status is not AccountStatus.SUSPENDED:
        raise InvalidTransition("only suspended accounts can be reactivated", account.status)
    return account.status_before_suspension or AccountStatus.ACTIVE
