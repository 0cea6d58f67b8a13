from __future__ import annotations

import pytest

from services.auth.domain.passwords import character_classes, password_problem, validate_password_change
from services.common.errors import InvalidArgument


@pytest.mark.parametrize(
    "password",
    ["correct horse 1", "Abcdefghij", "abcdefghi1", "abcdefghi!", "0123456789x"],
)
def test_passwords_of_ten_characters_mixing_two_classes_are_accepted(password: str) -> None:
    assert password_problem(password) is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short1!", "at least 10"),
        ("abcdefghijkl", "two of"),
        ("ABCDEFGHIJKL", "two of"),
        ("123456789012", "two of"),
        ("!!!!!!!!!!!!", "two of"),
        ("a" * 257 + "B", "at most"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    found = password_problem(password)
    assert found is not None
    assert problem in found


def test_character_classes_counts_lower_upper_digits_and_others() -> None:
    assert character_classes("aB3!") == 4
    assert character_classes("ééé") == 1


def test_a_new_password_must_meet_the_policy() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validate_password_change("correct horse 1", "short")
    assert raised.value.reason == "VALIDATION_FAILED"
    assert [(v.field, v.reason) for v in raised.value.violations] == [("newPassword", "WEAK_PASSWORD")]


def test_a_new_password_must_differ_from_the_current_one() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validate_password_change("correct horse 1", "correct horse 1")
    assert raised.value.message == "newPassword: must differ from the current password"


def test_a_strong_different_password_may_replace_the_current_one() -> None:
    validate_password_change("correct horse 1", "battery staple 2")
