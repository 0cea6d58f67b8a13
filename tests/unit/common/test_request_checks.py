"""The shape every request must have: known enums, bounded text without NUL, bounded lists, valid times."""

from __future__ import annotations

import pytest
from google.protobuf import timestamp_pb2
from pulseone.appointments.v1 import appointments_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.profile.v1 import profile_pb2, resources_pb2

from services.common.errors import InvalidArgument
from services.common.request_checks import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, RequestChecks, Undecodable, tolerant

CHECKS = RequestChecks()


def violations(request: object) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as raised:
        CHECKS.check(request)  # type: ignore[arg-type]
    assert raised.value.reason == "VALIDATION_FAILED"
    return {v.field: v.reason for v in raised.value.violations}


def test_a_well_formed_request_passes() -> None:
    CHECKS.check(
        auth_pb2.RegisterRequest(
            email="ada@example.com",
            password="correct horse 1",
            role=auth_pb2.User.Role.CLINIC_ADMIN,
            first_name="Ada",
            clinic=auth_pb2.ClinicDetails(name="Lanka", time_zone="Asia/Colombo"),
        )
    )


def test_nul_characters_are_refused_in_any_text_field_at_any_depth() -> None:
    request = auth_pb2.RegisterRequest(first_name="Ada\x00", clinic=auth_pb2.ClinicDetails(name="x\x00y"))
    assert violations(request) == {"firstName": "NUL_CHARACTER", "clinic.name": "NUL_CHARACTER"}


def test_nul_characters_are_refused_in_repeated_and_map_values() -> None:
    patient = resources_pb2.Patient(allergies=["ok", "pea\x00nut"])
    assert violations(profile_pb2.UpdatePatientRequest(patient=patient)) == {"patient.allergies[1]": "NUL_CHARACTER"}
    notes = appointments_pb2.UpdateNotesRequest()
    notes.notes.vital_signs["pulse\x00"] = "72"
    assert violations(notes) == {"notes.vitalSigns[key]": "NUL_CHARACTER"}


def test_unknown_enum_numbers_are_refused() -> None:
    assert violations(auth_pb2.RegisterRequest(role=99)) == {"role": "UNKNOWN_ENUM_VALUE"}  # type: ignore[arg-type]
    patient = resources_pb2.Patient(gender=-1)  # type: ignore[arg-type]
    assert violations(profile_pb2.UpdatePatientRequest(patient=patient)) == {"patient.gender": "UNKNOWN_ENUM_VALUE"}


def test_text_fields_have_a_default_limit() -> None:
    assert violations(auth_pb2.RegisterRequest(first_name="a" * (DEFAULT_MAX_LENGTH + 1))) == {"firstName": "TOO_LONG"}
    CHECKS.check(auth_pb2.RegisterRequest(first_name="a" * DEFAULT_MAX_LENGTH))


def test_a_declared_limit_replaces_the_default() -> None:
    too_long_zone = auth_pb2.RegisterRequest(clinic=auth_pb2.ClinicDetails(time_zone="A" * 65))
    assert violations(too_long_zone) == {"clinic.timeZone": "TOO_LONG"}
    assert violations(auth_pb2.LoginRequest(email="a" * 3000 + "@example.com")) == {"email": "TOO_LONG"}
    history = resources_pb2.Patient(medical_history="m" * 20_000)
    CHECKS.check(profile_pb2.UpdatePatientRequest(patient=history))


def test_lists_have_a_default_limit() -> None:
    patient = resources_pb2.Patient(allergies=["x"] * (DEFAULT_MAX_ITEMS + 1))
    assert violations(profile_pb2.UpdatePatientRequest(patient=patient)) == {"patient.allergies": "TOO_MANY_ITEMS"}


def test_timestamps_outside_what_a_timestamp_can_hold_are_refused() -> None:
    message = auth_pb2.User(create_time=timestamp_pb2.Timestamp(seconds=2**62))
    assert violations(message) == {"createTime": "OUT_OF_RANGE"}


def test_every_violation_is_reported_at_once() -> None:
    request = auth_pb2.RegisterRequest(role=42, first_name="\x00", last_name="b" * 1000)  # type: ignore[arg-type]
    assert violations(request) == {"role": "UNKNOWN_ENUM_VALUE", "firstName": "NUL_CHARACTER", "lastName": "TOO_LONG"}


def test_bytes_that_are_not_a_message_of_the_type_become_undecodable() -> None:
    parse = tolerant(auth_pb2.LoginRequest.FromString)
    assert parse is not None
    assert isinstance(parse(b"\x0a\xff\xff\xff\xff\xff"), Undecodable)
    assert isinstance(parse(b"\x0a\x02\xc0\xaf"), Undecodable)  # invalid UTF-8 in a string field
    assert parse(auth_pb2.LoginRequest(email="a@b.c").SerializeToString()).email == "a@b.c"
