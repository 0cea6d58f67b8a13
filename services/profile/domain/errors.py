"""The facts the profile service refuses a request with, each with its stable reason (SPEC 1, Errors)."""

from __future__ import annotations

from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    InvalidField,
    NotFound,
    PermissionDenied,
)

# Not found


class ProfileNotFound(NotFound):
    default_reason = "PROFILE_NOT_FOUND"
    default_message = "no profile has this id yet"


class PatientNotFound(NotFound):
    default_reason = "PATIENT_NOT_FOUND"
    default_message = "this patient has no medical profile yet"


class NoSuchPatient(PatientNotFound):
    """An id that is not a patient's account (none, or another role's), to a service asking whose it is."""

    default_message = "no patient has this id"


class DoctorNotFound(NotFound):
    """Also for an unverified doctor a patient asks about: patients never see those (SPEC 2)."""

    default_reason = "DOCTOR_NOT_FOUND"
    default_message = "no doctor has this id"


class ClinicNotFound(NotFound):
    default_reason = "CLINIC_NOT_FOUND"
    default_message = "no clinic has this id"


class AffiliationNotFound(NotFound):
    default_reason = "AFFILIATION_NOT_FOUND"
    default_message = "the doctor was never invited to this clinic"


class PharmacyNotFound(NotFound):
    default_reason = "PHARMACY_NOT_FOUND"
    default_message = "no pharmacy has this id"


# Who may


class NotInCare(PermissionDenied):
    """Medical data is read by the patient and by doctors within the care relationship only (SPEC 2)."""

    default_reason = "NOT_IN_CARE"
    default_message = "only the patient and their doctors may read this"


# Invalid requests


class LookupNeedsOneKey(InvalidArgument):
    default_reason = "LOOKUP_NEEDS_ONE_KEY"
    default_message = "give exactly one of email and phone"


class NotAClinicAdmin(InvalidField):
    """A SYSTEM_ADMIN assigned a clinic to an account that is not a clinic admin: a field violation of `adminId`."""

    def __init__(self) -> None:
        super().__init__("adminId", "is not a CLINIC_ADMIN account", "NOT_A_CLINIC_ADMIN")


# Conflicts


class ClinicExists(AlreadyExists):
    """A clinic admin has one clinic; only a SYSTEM_ADMIN assigns more (SPEC 3.2)."""

    default_reason = "CLINIC_EXISTS"
    default_message = "you have a clinic already"


class PharmacyExists(AlreadyExists):
    default_reason = "PHARMACY_EXISTS"
    default_message = "you have a pharmacy already"


class LicenseTaken(AlreadyExists):
    default_reason = "LICENSE_TAKEN"
    default_message = "another pharmacy holds this license number"


class AffiliationExists(AlreadyExists):
    """The doctor is invited or affiliated already."""

    default_reason = "AFFILIATION_EXISTS"

    def __init__(self, status: str) -> None:
        super().__init__(f"the doctor is already {status.lower()} at this clinic", metadata={"status": str(status)})


# The state forbids it


class InvalidTransition(FailedPrecondition):
    """An affiliation cannot go from its status where the request asks."""

    default_reason = "INVALID_TRANSITION"

    def __init__(self, message: str, status: str | None) -> None:
        super().__init__(message, metadata={"status": str(status or "")})


class NoPendingInvitation(InvalidTransition):
    def __init__(self, status: str | None) -> None:
        super().__init__("there is no pending invitation to answer", status)


class NothingToEnd(InvalidTransition):
    def __init__(self, status: str | None) -> None:
        super().__init__("there is no invitation or affiliation to end", status)


class NoCompletedVisit(FailedPrecondition):
    """Patients rate a doctor only after a completed appointment with them (SPEC 3.2)."""

    default_reason = "NO_COMPLETED_VISIT"
    default_message = "patients rate a doctor after a completed appointment with them"
