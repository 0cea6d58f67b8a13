"""The named errors give exactly the reasons, messages, metadata and kinds the auth service always gave."""

from __future__ import annotations

import uuid

import pytest

from services.auth.domain import errors
from services.common.context import AccountStatus
from services.common.errors import DomainError, ErrorKind, FieldViolation

USER = uuid.UUID("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f")


@pytest.mark.parametrize(
    ("error", "kind", "reason", "message"),
    [
        (errors.EmailTaken(), ErrorKind.CONFLICT, "EMAIL_TAKEN", "an account with this email exists already"),
        (errors.UserNotFound(USER), ErrorKind.NOT_FOUND, "USER_NOT_FOUND", "no account has this id"),
        (
            errors.InvalidTransition("the account is already suspended", AccountStatus.SUSPENDED),
            ErrorKind.PRECONDITION,
            "INVALID_TRANSITION",
            "the account is already suspended",
        ),
        (
            errors.CannotSuspendSelf(),
            ErrorKind.PRECONDITION,
            "CANNOT_SUSPEND_SELF",
            "administrators cannot suspend themselves",
        ),
        (
            errors.InvalidCredentials(),
            ErrorKind.UNAUTHENTICATED,
            "INVALID_CREDENTIALS",
            "the email or password is wrong",
        ),
        (errors.AccountSuspended(), ErrorKind.PERMISSION, "ACCOUNT_SUSPENDED", "this account is suspended"),
        (
            errors.TooManyAttempts(30),
            ErrorKind.EXHAUSTED,
            "TOO_MANY_ATTEMPTS",
            "too many failed sign-ins; try again in 30 seconds",
        ),
        (errors.AccountGone(), ErrorKind.UNAUTHENTICATED, "TOKEN_INVALID", "the account no longer exists"),
        (
            errors.WrongPassword(),
            ErrorKind.INVALID,
            "VALIDATION_FAILED",
            "currentPassword: is not the password of this account",
        ),
        (
            errors.RefreshTokenInvalid(),
            ErrorKind.UNAUTHENTICATED,
            "REFRESH_TOKEN_INVALID",
            "the refresh token is not valid",
        ),
        (
            errors.RefreshTokenRevoked(),
            ErrorKind.UNAUTHENTICATED,
            "REFRESH_TOKEN_REVOKED",
            "the refresh token has been revoked",
        ),
        (
            errors.RefreshTokenExpired(),
            ErrorKind.UNAUTHENTICATED,
            "REFRESH_TOKEN_EXPIRED",
            "the refresh token has expired; sign in again",
        ),
        (
            errors.RefreshTokenReused(),
            ErrorKind.UNAUTHENTICATED,
            "REFRESH_TOKEN_REUSED",
            "the refresh token was used before; every session it belongs to is now signed out",
        ),
    ],
)
def test_each_error_keeps_its_kind_reason_and_message(
    error: DomainError, kind: ErrorKind, reason: str, message: str
) -> None:
    assert (error.kind, error.reason, error.message, str(error)) == (kind, reason, message, message)


def test_metadata_names_the_user_the_status_and_the_wait() -> None:
    assert errors.UserNotFound(USER).metadata == {"userId": str(USER)}
    assert errors.InvalidTransition("x", AccountStatus.ACTIVE).metadata == {"status": "ACTIVE"}
    assert errors.TooManyAttempts(30).retry_after_seconds == 30
    assert errors.TooManyAttempts(30).metadata == {}


def test_a_wrong_current_password_is_a_field_violation() -> None:
    assert errors.WrongPassword().violations == [
        FieldViolation("currentPassword", "is not the password of this account", "WRONG_PASSWORD")
    ]
