"""The auth service's named domain errors: every refusal it gives, with its stable reason and metadata."""

from __future__ import annotations

import uuid

from services.common.context import AccountStatus
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidField,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

# Field-violation reasons: reported among a request's other bad fields (VALIDATION_FAILED), never alone.
WEAK_PASSWORD = "WEAK_PASSWORD"  # noqa: S105 - a violation reason, not a password
ROLE_NOT_SELF_REGISTRABLE = "ROLE_NOT_SELF_REGISTRABLE"
INVALID_TIME_ZONE = "INVALID_TIME_ZONE"


class EmailTaken(AlreadyExists):
    """Another account has this email (compared trimmed and case-insensitively)."""

    default_reason = "EMAIL_TAKEN"
    default_message = "an account with this email exists already"


class UserNotFound(NotFound):
    """No account has this id."""

    default_reason = "USER_NOT_FOUND"
    default_message = "no account has this id"

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__(metadata={"userId": str(user_id)})


class InvalidTransition(FailedPrecondition):
    """The account's status does not allow this change (approve, suspend, reactivate)."""

    default_reason = "INVALID_TRANSITION"

    def __init__(self, message: str, status: AccountStatus) -> None:
        super().__init__(message, metadata={"status": status.value})


class CannotSuspendSelf(FailedPrecondition):
    """An administrator tried to suspend their own account."""

    default_reason = "CANNOT_SUSPEND_SELF"
    default_message = "administrators cannot suspend themselves"


class InvalidCredentials(Unauthenticated):
    """The email or the password is wrong; which one is never told, nor whether the account exists."""

    default_reason = "INVALID_CREDENTIALS"
    default_message = "the email or password is wrong"


class AccountSuspended(PermissionDenied):
    """The account is suspended: told only to whoever proved they own it."""

    default_reason = "ACCOUNT_SUSPENDED"
    default_message = "this account is suspended"


class TooManyAttempts(ResourceExhausted):
    """Sign-ins for this email from this address are locked out for a while."""

    default_reason = "TOO_MANY_ATTEMPTS"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"too many failed sign-ins; try again in {retry_after_seconds} seconds",
            retry_after_seconds=retry_after_seconds,
        )


class AccountGone(Unauthenticated):
    """The token's account no longer exists: the token proves nothing any more."""

    default_reason = "TOKEN_INVALID"
    default_message = "the account no longer exists"


class WrongPassword(InvalidField):
    """The current password given to change it is not the account's."""

    def __init__(self) -> None:
        super().__init__("currentPassword", "is not the password of this account", "WRONG_PASSWORD")


class RefreshTokenInvalid(Unauthenticated):
    """The refresh token is not one this service handed out."""

    default_reason = "REFRESH_TOKEN_INVALID"
    default_message = "the refresh token is not valid"


class RefreshTokenRevoked(Unauthenticated):
    """The refresh token's family was ended (logout, suspension, password change, theft)."""

    default_reason = "REFRESH_TOKEN_REVOKED"
    default_message = "the refresh token has been revoked"


class RefreshTokenExpired(Unauthenticated):
    """The refresh token, or the family it belongs to, has outlived its lifetime."""

    default_reason = "REFRESH_TOKEN_EXPIRED"
    default_message = "the refresh token has expired; sign in again"


class RefreshTokenReused(Unauthenticated):
    """A spent refresh token came back after the grace period: its whole family is now revoked."""

    default_reason = "REFRESH_TOKEN_REUSED"
    default_message = "the refresh token was used before; every session it belongs to is now signed out"


class AuditTrailUnavailable(Unavailable):
    """A service's audit trail did not answer: the listing is refused rather than given with a gap."""

    default_reason = "AUDIT_TRAIL_UNAVAILABLE"
    default_message = "an audit trail cannot be read now; retry later"

    def __init__(self, service: str) -> None:
        super().__init__(metadata={"service": service})
