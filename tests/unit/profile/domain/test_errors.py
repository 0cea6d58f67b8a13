"""The profile service's named errors keep the reasons, messages and kinds clients rely on."""

from __future__ import annotations

import pytest

from services.common.errors import DomainError, ErrorKind
from services.profile.domain import errors


@pytest.mark.parametrize(
    ("error", "kind", "reason", "message"),
    [
        (errors.ProfileNotFound(), ErrorKind.NOT_FOUND, "PROFILE_NOT_FOUND", "no profile has this id yet"),
        (errors.PatientNotFound(), ErrorKind.NOT_FOUND, "PATIENT_NOT_FOUND", "this patient has no medical profile yet"),
        (errors.DoctorNotFound(), ErrorKind.NOT_FOUND, "DOCTOR_NOT_FOUND", "no doctor has this id"),
        (errors.ClinicNotFound(), ErrorKind.NOT_FOUND, "CLINIC_NOT_FOUND", "no clinic has this id"),
        (
            errors.AffiliationNotFound(),
            ErrorKind.NOT_FOUND,
            "AFFILIATION_NOT_FOUND",
            "the doctor was never invited to this clinic",
        ),
        (errors.PharmacyNotFound(), ErrorKind.NOT_FOUND, "PHARMACY_NOT_FOUND", "no pharmacy has this id"),
        (
            errors.NotInCare(),
            ErrorKind.PERMISSION,
            "NOT_IN_CARE",
            "only the patient and their doctors may read this",
        ),
        (
            errors.LookupNeedsOneKey(),
            ErrorKind.INVALID,
            "LOOKUP_NEEDS_ONE_KEY",
            "give exactly one of email and phone",
        ),
        (errors.ClinicExists(), ErrorKind.CONFLICT, "CLINIC_EXISTS", "you have a clinic already"),
        (errors.PharmacyExists(), ErrorKind.CONFLICT, "PHARMACY_EXISTS", "you have a pharmacy already"),
        (errors.LicenseTaken(), ErrorKind.CONFLICT, "LICENSE_TAKEN", "another pharmacy holds this license number"),
        (
            errors.NoCompletedVisit(),
            ErrorKind.PRECONDITION,
            "NO_COMPLETED_VISIT",
            "patients rate a doctor after a completed appointment with them",
        ),
    ],
)
def test_each_fact_has_its_reason_message_and_kind(
    error: DomainError, kind: ErrorKind, reason: str, message: str
) -> None:
    assert (error.kind, error.reason, error.message, error.metadata) == (kind, reason, message, {})


def test_an_account_that_is_not_a_clinic_admin_is_a_violation_of_admin_id() -> None:
    error = errors.NotAClinicAdmin()
    assert (error.kind, error.reason, error.message) == (
        ErrorKind.INVALID,
        "VALIDATION_FAILED",
        "adminId: is not a CLINIC_ADMIN account",
    )
    assert [(v.field, v.description, v.reason) for v in error.violations] == [
        ("adminId", "is not a CLINIC_ADMIN account", "NOT_A_CLINIC_ADMIN")
    ]
