from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.common.context import Role
from services.common.errors import InvalidArgument
from services.common.fields import parse_money
from services.profile.domain.doctors import (
    Doctor,
    DoctorChanges,
    check_doctor_changes,
    sees_unverified_doctors,
    visible_to,
)
from tests.unit.profile.domain.callers import principal


def doctor(*, verified: bool) -> Doctor:
    return Doctor(
        id=uuid.uuid4(),
        first_name="Ada",
        last_name="Perera",
        specialization=None,
        qualifications=(),
        license_number=None,
        years_of_experience=None,
        bio=None,
        consultation_fee=None,
        currency=None,
        time_zone=None,
        languages=(),
        offers_virtual=False,
        verified=verified,
        average_rating=Decimal(0),
        rating_count=0,
        clinics=(),
        update_time=datetime(2026, 11, 25, tzinfo=UTC),
        version=1,
    )


def test_only_non_patients_may_ask_for_unverified_doctors() -> None:
    assert not sees_unverified_doctors(principal(Role.PATIENT), False)
    assert sees_unverified_doctors(principal(Role.CLINIC_ADMIN), False)
    assert not sees_unverified_doctors(principal(Role.CLINIC_ADMIN), None)


def test_an_unverified_doctor_is_hidden_from_patients_but_not_from_themself() -> None:
    hidden = doctor(verified=False)
    assert not visible_to(principal(Role.PATIENT), hidden)
    assert visible_to(principal(Role.DOCTOR, hidden.id), hidden)
    assert visible_to(principal(Role.CLINIC_ADMIN), hidden)
    assert visible_to(principal(Role.PATIENT), doctor(verified=True))


def fee(value: str) -> DoctorChanges:
    return DoctorChanges(frozenset({"consultation_fee"}), consultation_fee=value)


@pytest.mark.parametrize(("value", "parsed"), [("75.50", "75.50"), ("0", "0"), ("1200", "1200")])
def test_money_is_a_non_negative_decimal_with_two_places(value: str, parsed: str) -> None:
    assert str(parse_money(value)) == parsed
    assert str(check_doctor_changes(fee(value)).consultation_fee) == parsed


@pytest.mark.parametrize("value", ["-1", "1.005", "abc", "NaN", "Infinity", "1e12"])
def test_invalid_money_is_refused(value: str) -> None:
    assert parse_money(value) is None
    with pytest.raises(InvalidArgument) as raised:
        check_doctor_changes(fee(value))
    assert [v.field for v in raised.value.violations] == ["consultationFee"]


def test_empty_texts_clear_a_doctors_fields() -> None:
    changes = DoctorChanges(
        frozenset({"specialization", "license_number", "consultation_fee", "years_of_experience"}),
        years_of_experience=0,
    )
    update = check_doctor_changes(changes)
    assert (update.specialization, update.license_number, update.consultation_fee) == (None, None, None)
    assert update.years_of_experience == 0
    assert update.requested_license is None


def test_the_license_number_counts_only_when_requested() -> None:
    assert check_doctor_changes(DoctorChanges(frozenset(), license_number="SLMC-1")).requested_license is None
    requested = DoctorChanges(frozenset({"license_number"}), license_number="SLMC-1")
    assert check_doctor_changes(requested).requested_license == "SLMC-1"


def test_years_of_experience_are_bounded() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_doctor_changes(DoctorChanges(frozenset({"years_of_experience"}), years_of_experience=81))
    assert [(v.field, v.description) for v in raised.value.violations] == [
        ("yearsOfExperience", "must be between 0 and 80")
    ]
