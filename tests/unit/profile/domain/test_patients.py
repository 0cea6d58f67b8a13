from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.common.errors import InvalidArgument
from services.profile.domain.field_checks import EmergencyContact
from services.profile.domain.patients import PatientChanges, check_patient_changes, patient_lookup

TODAY = date(2026, 11, 25)


def test_checked_changes_are_parsed_into_what_is_stored() -> None:
    doctor_id = uuid.uuid4()
    changes = PatientChanges(
        frozenset({"date_of_birth", "preferred_doctor_ids", "blood_group"}),
        date_of_birth="1990-05-17",
        blood_group="AB-",
        preferred_doctor_ids=(str(doctor_id),),
    )
    update = check_patient_changes(changes, TODAY)
    assert (update.date_of_birth, update.preferred_doctor_ids, update.blood_group) == (
        date(1990, 5, 17),
        (doctor_id,),
        "AB-",
    )
    assert update.requested == changes.requested


def test_an_empty_date_of_birth_clears_it() -> None:
    assert check_patient_changes(PatientChanges(frozenset({"date_of_birth"})), TODAY).date_of_birth is None


def test_every_bad_patient_field_is_reported_at_once() -> None:
    changes = PatientChanges(
        frozenset({"date_of_birth", "blood_group", "emergency_contacts", "preferred_clinic_ids", "address"}),
        date_of_birth="2999-01-01",
        blood_group="Z",
        address="x" * 501,
        emergency_contacts=(EmergencyContact(name="Grace", relationship="", phone="call me"),),
        preferred_clinic_ids=("not-an-id",),
    )
    with pytest.raises(InvalidArgument) as raised:
        check_patient_changes(changes, TODAY)
    assert raised.value.reason == "VALIDATION_FAILED"
    assert {(v.field, v.reason) for v in raised.value.violations} == {
        ("dateOfBirth", "INVALID_FIELD"),
        ("bloodGroup", "INVALID_FIELD"),
        ("address", "INVALID_FIELD"),
        ("emergencyContacts[0].phone", "INVALID_FIELD"),
        ("preferredClinicIds[0]", "INVALID_ID"),
    }


@pytest.mark.parametrize(("email", "phone"), [("", ""), ("  ", " "), ("a@example.com", "+94 77 000 1111")])
def test_a_lookup_needs_exactly_one_key(email: str, phone: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        patient_lookup(email, phone)
    assert (raised.value.reason, raised.value.message) == (
        "LOOKUP_NEEDS_ONE_KEY",
        "give exactly one of email and phone",
    )


def test_a_lookup_by_email_ignores_case_and_spaces() -> None:
    lookup = patient_lookup(" Ada@Example.COM ", "")
    assert (lookup.email, lookup.phone) == ("ada@example.com", "")
