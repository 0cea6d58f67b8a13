from __future__ import annotations

import pytest

from services.auth.passwords import PasswordHasher, character_classes, password_problem


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


async def test_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    hasher = PasswordHasher()
    stored = await hasher.hash("correct horse 1")
    assert stored.startswith("$argon2id$")
    assert await hasher.verify(stored, "correct horse 1")
    assert not await hasher.verify(stored, "correct horse 2")


async def test_an_unknown_account_never_verifies_even_with_the_decoy_password() -> None:
    hasher = PasswordHasher()
    assert not await hasher.verify(None, "decoy password for unknown accounts")
