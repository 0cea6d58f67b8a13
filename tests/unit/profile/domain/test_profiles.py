from __future__ import annotations

import uuid

import pytest

from services.common.context import Role
from services.common.errors import InvalidArgument
from services.profile.domain.profiles import ProfileChanges, check_profile_changes, may_manage_profile, new_profile
from tests.unit.profile.domain.callers import principal


def test_a_profile_is_managed_by_its_owner_and_system_admins() -> None:
    owner = principal(Role.PATIENT)
    assert may_manage_profile(owner, owner.user_id)
    assert may_manage_profile(principal(Role.SYSTEM_ADMIN), owner.user_id)
    assert not may_manage_profile(principal(Role.CLINIC_ADMIN), owner.user_id)


def test_names_may_not_be_cleared_but_may_be_left_out() -> None:
    check_profile_changes(ProfileChanges(frozenset({"phone_number"}), phone_number="+94 77 000 1111"))
    with pytest.raises(InvalidArgument) as raised:
        check_profile_changes(ProfileChanges(frozenset({"first_name"}), first_name=" "))
    assert [(v.field, v.description) for v in raised.value.violations] == [("firstName", "is required")]


def test_only_name_changes_rename() -> None:
    assert ProfileChanges(frozenset({"last_name"})).renames
    assert not ProfileChanges(frozenset({"phone_number"})).renames


def test_a_new_profile_is_the_callers_own_trimmed() -> None:
    caller = principal(Role.DOCTOR, uuid.uuid4())
    changes = ProfileChanges(frozenset({"first_name", "last_name"}), first_name=" Ada ", last_name="Perera ")
    created = new_profile(caller, " Ada@Example.com", changes)
    assert (created.id, created.role, created.email, created.first_name, created.last_name, created.phone_number) == (
        caller.user_id,
        Role.DOCTOR,
        "ada@example.com",
        "Ada",
        "Perera",
        "",
    )


def test_a_new_profile_needs_both_names_and_a_valid_email() -> None:
    with pytest.raises(InvalidArgument) as raised:
        new_profile(principal(Role.PATIENT), "nobody", ProfileChanges())
    assert {v.field for v in raised.value.violations} == {"firstName", "lastName", "email"}
