"""The password policy (SPEC 3.1): what a password must be, and what changing one requires."""

from __future__ import annotations

import string

from services.auth.domain.errors import WEAK_PASSWORD
from services.common.errors import ValidationErrors

MIN_LENGTH = 10
MAX_LENGTH = 256
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and everything else the password uses."""
    used = {next((i for i, chars in enumerate(_CLASSES) if c in chars), len(_CLASSES)) for c in password}
    return len(used)


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None when it meets the policy (SPEC 3.1)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if character_classes(password) < 2:
        return "must mix at least two of: lower case, upper case, digits, other characters"
    return None


def check_password(errors: ValidationErrors, field: str, password: str) -> None:
    """Add WEAK_PASSWORD on `field` when the password breaks the policy."""
    problem = password_problem(password)
    if problem:
        errors.add(field, problem, WEAK_PASSWORD)


def validate_password_change(current: str, new: str) -> None:
    """Raise INVALID_ARGUMENT when the new password is weak or the same as the current one."""
    errors = ValidationErrors()
    check_password(errors, "newPassword", new)
    if new and new == current:
        errors.add("newPassword", "must differ from the current password")
    errors.raise_if_any()
