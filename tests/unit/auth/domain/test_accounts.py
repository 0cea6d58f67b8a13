from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.auth.domain.accounts import (
    Account,
    ClinicDetails,
    NewAccount,
    PharmacyDetails,
    approval_revoked,
    approved,
    initial_status,
    normalize_email,
    reactivated,
    suspended,
    validate_new_account,
)
from services.auth.domain.errors import CannotSuspendSelf, InvalidTransition
from services.common.context import AccountStatus, Role
from services.common.errors import InvalidArgument

ACTIVE, PENDING, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.PENDING_APPROVAL, AccountStatus.SUSPENDED
PATIENT = NewAccount("pat@example.com", "correct horse 1", Role.PATIENT, "Pat", "Ient", "+94 77 123 4567")


def account(status: AccountStatus, before: AccountStatus | None = None) -> Account:
    return Account(
        id=uuid.uuid4(),
        email="doc@example.com",
        role=Role.DOCTOR,
        status=status,
        first_name="Doc",
        last_name="Tor",
        phone_number="",
        create_time=datetime(2026, 11, 25, tzinfo=UTC),
        version=1,
        status_before_suspension=before,
    )


def violations(new: NewAccount, *, self_registration: bool = True) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as raised:
        validate_new_account(new, self_registration=self_registration)
    assert raised.value.reason == "VALIDATION_FAILED"
    return {v.field: v.reason for v in raised.value.violations}


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Mixed.Case@Example.COM ") == "mixed.case@example.com"


def test_patients_and_admin_created_accounts_are_active_and_professionals_wait() -> None:
    assert initial_status(Role.PATIENT, created_by_admin=False) is ACTIVE
    assert initial_status(Role.DOCTOR, created_by_admin=False) is PENDING
    assert initial_status(Role.PHARMACY, created_by_admin=True) is ACTIVE


def test_a_complete_patient_is_valid() -> None:
    validate_new_account(PATIENT, self_registration=True)


def test_every_bad_field_is_named_at_once() -> None:
    bad = NewAccount("not-an-email", "short", Role.CLINIC_ADMIN, "A", "", "call me")
    assert violations(bad) == {
        "email": "INVALID_FIELD",
        "password": "WEAK_PASSWORD",
        "lastName": "INVALID_FIELD",
        "phoneNumber": "INVALID_FIELD",
        "clinic": "INVALID_FIELD",
    }


def test_system_admins_cannot_self_register_but_an_admin_may_create_one() -> None:
    admin = replace(PATIENT, role=Role.SYSTEM_ADMIN)
    assert violations(admin) == {"role": "ROLE_NOT_SELF_REGISTRABLE"}
    validate_new_account(admin, self_registration=False)


def test_a_clinic_needs_a_real_time_zone_and_only_a_clinic_admin_brings_one() -> None:
    clinic = ClinicDetails("Lanka Clinic", "", "", "Mars/Olympus")
    clinic_admin = replace(PATIENT, role=Role.CLINIC_ADMIN, clinic=clinic)
    assert violations(clinic_admin) == {"clinic.timeZone": "INVALID_TIME_ZONE"}
    patient_with_clinic = replace(PATIENT, clinic=replace(clinic, time_zone="Asia/Colombo"))
    assert violations(patient_with_clinic) == {"clinic": "INVALID_FIELD"}


def test_a_pharmacy_needs_its_license_number() -> None:
    pharmacy = PharmacyDetails("Green Pharmacy", " ", "", "")
    assert violations(replace(PATIENT, role=Role.PHARMACY, pharmacy=pharmacy)) == {
        "pharmacy.licenseNumber": "INVALID_FIELD"
    }


def test_only_a_pending_account_is_approved() -> None:
    assert approved(account(PENDING)) is ACTIVE
    with pytest.raises(InvalidTransition) as raised:
        approved(account(ACTIVE))
    assert raised.value.metadata == {"status": "ACTIVE"}


def test_an_admin_cannot_suspend_themselves_nor_an_account_twice() -> None:
    target = account(ACTIVE)
    assert suspended(target, uuid.uuid4()) is SUSPENDED
    with pytest.raises(CannotSuspendSelf):
        suspended(target, target.id)
    with pytest.raises(InvalidTransition):
        suspended(account(SUSPENDED, ACTIVE), uuid.uuid4())


def test_reactivation_restores_the_status_held_before_the_suspension() -> None:
    assert reactivated(account(SUSPENDED, PENDING)) is PENDING
    assert reactivated(account(SUSPENDED)) is ACTIVE
    with pytest.raises(InvalidTransition):
        reactivated(account(ACTIVE))


def test_a_revoked_approval_sends_active_accounts_back_to_waiting() -> None:
    assert approval_revoked(account(ACTIVE)) == (PENDING, None)
    assert approval_revoked(account(SUSPENDED, ACTIVE)) == (SUSPENDED, PENDING)
    assert approval_revoked(account(PENDING)) == (PENDING, None)
    assert approval_revoked(account(SUSPENDED, PENDING)) == (SUSPENDED, PENDING)
