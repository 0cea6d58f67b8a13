from __future__ import annotations

import uuid

import pytest

from services.common.context import Role
from services.common.errors import InvalidArgument
from services.profile.domain.clinics import (
    DEFAULT_CURRENCY,
    ClinicChanges,
    check_clinic_changes,
    clinic_owner,
    with_default_currency,
)
from tests.unit.profile.domain.callers import principal


def test_a_clinic_admin_creates_their_own_clinic_whatever_admin_id_says() -> None:
    admin = principal(Role.CLINIC_ADMIN)
    assert clinic_owner(admin, "") == admin.user_id
    assert clinic_owner(admin, "not-an-id") == admin.user_id


def test_a_system_admin_names_the_clinics_admin() -> None:
    admin_id = uuid.uuid4()
    assert clinic_owner(principal(Role.SYSTEM_ADMIN), str(admin_id)) == admin_id


@pytest.mark.parametrize(
    ("admin_id", "description", "reason"),
    [
        ("", "is required when a SYSTEM_ADMIN creates a clinic", "INVALID_FIELD"),
        ("nope", "'nope' is not a UUID", "INVALID_ID"),
    ],
)
def test_a_system_admin_must_name_a_valid_admin(admin_id: str, description: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        clinic_owner(principal(Role.SYSTEM_ADMIN), admin_id)
    assert [(v.field, v.description, v.reason) for v in raised.value.violations] == [("adminId", description, reason)]


def test_a_new_clinic_needs_a_name_and_a_time_zone() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_clinic_changes(ClinicChanges(), creating=True)
    assert {v.field for v in raised.value.violations} == {"name", "timeZone"}
    check_clinic_changes(ClinicChanges(), creating=False)


def test_an_edit_may_not_clear_the_currency() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_clinic_changes(ClinicChanges(frozenset({"currency"})), creating=False)
    assert [(v.field, v.description) for v in raised.value.violations] == [("currency", "is required")]


def test_a_new_clinic_has_the_default_currency_unless_it_names_one() -> None:
    defaulted = with_default_currency(ClinicChanges(frozenset({"name"}), name="Lanka Clinic"))
    assert (defaulted.currency, "currency" in defaulted.requested, defaulted.name) == (
        DEFAULT_CURRENCY,
        True,
        "Lanka Clinic",
    )
    named = ClinicChanges(frozenset({"currency"}), currency="LKR")
    assert with_default_currency(named) == named
