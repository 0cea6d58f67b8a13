from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.context import AccountStatus, Principal, Role
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.profile.rules import (
    CareRelationship,
    Checks,
    answer_allowed,
    end_allowed,
    invitation_allowed,
    may_read_medical_data,
    parse_money,
    sees_unverified_doctors,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PATIENT_ID = uuid.uuid4()


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(user_id or uuid.uuid4(), role, AccountStatus.ACTIVE, "jti")


def test_a_patient_reads_only_their_own_medical_data() -> None:
    assert may_read_medical_data(principal(Role.PATIENT, PATIENT_ID), PATIENT_ID, None, NOW)
    assert not may_read_medical_data(principal(Role.PATIENT), PATIENT_ID, None, NOW)


def test_a_doctor_reads_while_an_appointment_is_open() -> None:
    assert may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, CareRelationship(1, None), NOW)
    assert not may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, None, NOW)


@pytest.mark.parametrize(("days_since", "allowed"), [(0, True), (89, True), (90, True), (91, False)])
def test_a_doctor_reads_for_ninety_days_after_the_last_appointment(days_since: int, allowed: bool) -> None:
    relationship = CareRelationship(0, NOW - timedelta(days=days_since))
    assert may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, relationship, NOW) is allowed


@pytest.mark.parametrize("role", [Role.CLINIC_ADMIN, Role.PHARMACY, Role.SYSTEM_ADMIN])
def test_clinic_admins_pharmacies_and_system_admins_never_read_medical_data(role: Role) -> None:
    assert not may_read_medical_data(principal(role), PATIENT_ID, CareRelationship(3, NOW), NOW)


def test_only_non_patients_may_ask_for_unverified_doctors() -> None:
    assert not sees_unverified_doctors(principal(Role.PATIENT), False)
    assert sees_unverified_doctors(principal(Role.CLINIC_ADMIN), False)
    assert not sees_unverified_doctors(principal(Role.CLINIC_ADMIN), None)


def test_affiliation_transitions() -> None:
    for status in (None, "REJECTED", "ENDED"):
        invitation_allowed(status)
    for status in ("PENDING", "CONFIRMED"):
        with pytest.raises(AlreadyExists):
            invitation_allowed(status)
    answer_allowed("PENDING")
    for status in (None, "CONFIRMED", "REJECTED", "ENDED"):
        with pytest.raises(FailedPrecondition):
            answer_allowed(status)
    end_allowed("PENDING")
    end_allowed("CONFIRMED")
    for status in (None, "REJECTED", "ENDED"):
        with pytest.raises(FailedPrecondition):
            end_allowed(status)


@pytest.mark.parametrize(("value", "parsed"), [("75.50", "75.50"), ("0", "0"), ("1200", "1200")])
def test_money_is_a_non_negative_decimal_with_two_places(value: str, parsed: str) -> None:
    assert str(parse_money(value)) == parsed


@pytest.mark.parametrize("value", ["-1", "1.005", "abc", "NaN", "Infinity", "1e12"])
def test_invalid_money_is_refused(value: str) -> None:
    assert parse_money(value) is None


def test_checks_name_every_bad_field_by_json_path() -> None:
    checks = Checks()
    checks.time_zone("timeZone", "Nowhere/Land")
    checks.currency("currency", "ABC")
    checks.past_date("dateOfBirth", "2999-01-01", date(2026, 11, 25))
    checks.operating_hours("operatingHours", [{"dayOfWeek": "MONDAY", "open": "18:00", "close": "09:00"}])
    checks.contacts("emergencyContacts", [{"name": "", "phone": "12"}])
    with pytest.raises(InvalidArgument) as raised:
        checks.done()
    assert {v.field for v in raised.value.violations} == {
        "timeZone", "currency", "dateOfBirth", "operatingHours[0].close",
        "emergencyContacts[0].name", "emergencyContacts[0].phone",
    }  # fmt: skip


def test_valid_values_pass() -> None:
    checks = Checks()
    checks.time_zone("timeZone", "America/New_York", required=True)
    checks.currency("currency", "LKR")
    checks.past_date("dateOfBirth", "1990-01-31", date(2026, 11, 25))
    checks.operating_hours("operatingHours", [{"dayOfWeek": "MONDAY", "open": "08:00", "close": "17:30"}])
    checks.done()
