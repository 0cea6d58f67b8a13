from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidArgument
from services.profile.domain.field_checks import EmergencyContact, OperatingHours, ProfileChecks


def test_checks_name_every_bad_field_by_json_path() -> None:
    checks = ProfileChecks()
    checks.time_zone("timeZone", "Nowhere/Land")
    checks.currency("currency", "ABC")
    checks.past_date("dateOfBirth", "2999-01-01", date(2026, 11, 25))
    checks.operating_hours("operatingHours", [OperatingHours(day_of_week="MONDAY", open="18:00", close="09:00")])
    checks.contacts("emergencyContacts", [EmergencyContact(name="", relationship="", phone="12")])
    with pytest.raises(InvalidArgument) as raised:
        checks.done()
    assert {v.field for v in raised.value.violations} == {
        "timeZone", "currency", "dateOfBirth", "operatingHours[0].close",
        "emergencyContacts[0].name", "emergencyContacts[0].phone",
    }  # fmt: skip


def test_valid_values_pass() -> None:
    checks = ProfileChecks()
    checks.time_zone("timeZone", "America/New_York", required=True)
    checks.currency("currency", "LKR")
    checks.past_date("dateOfBirth", "1990-01-31", date(2026, 11, 25))
    checks.operating_hours("operatingHours", [OperatingHours(day_of_week="MONDAY", open="08:00", close="17:30")])
    checks.contacts(
        "emergencyContacts", [EmergencyContact(name="Grace", relationship="sister", phone="+94 77 000 1111")]
    )
    checks.blood_group("bloodGroup", "AB-")
    checks.done()


def test_opening_hours_need_a_day_and_two_times() -> None:
    checks = ProfileChecks()
    checks.operating_hours("operatingHours", [OperatingHours(day_of_week="", open="8am", close="")])
    with pytest.raises(InvalidArgument) as raised:
        checks.done()
    assert {(v.field, v.description) for v in raised.value.violations} == {
        ("operatingHours[0].dayOfWeek", "is required"),
        ("operatingHours[0].open", "must be a time, HH:MM"),
        ("operatingHours[0].close", "must be a time, HH:MM"),
    }


def test_an_emergency_contact_needs_a_phone_number() -> None:
    checks = ProfileChecks()
    checks.contacts("emergencyContacts", [EmergencyContact(name="Grace", relationship="sister", phone="")])
    with pytest.raises(InvalidArgument) as raised:
        checks.done()
    assert [(v.field, v.description) for v in raised.value.violations] == [
        ("emergencyContacts[0].phone", "is required")
    ]


def test_blood_groups_are_the_eight_abo_rh_groups() -> None:
    checks = ProfileChecks()
    checks.blood_group("bloodGroup", "C+")
    with pytest.raises(InvalidArgument) as raised:
        checks.done()
    assert raised.value.violations[0].description == "must be one of A+, A-, AB+, AB-, B+, B-, O+, O-"
