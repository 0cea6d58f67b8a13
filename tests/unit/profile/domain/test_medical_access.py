from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.common.care import CareRelationship
from services.common.context import Role
from services.profile.domain.medical_access import may_read_medical_data
from tests.unit.profile.domain.callers import principal

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PATIENT_ID = uuid.uuid4()


def test_a_patient_reads_only_their_own_medical_data() -> None:
    assert may_read_medical_data(principal(Role.PATIENT, PATIENT_ID), PATIENT_ID, None, NOW)
    assert not may_read_medical_data(principal(Role.PATIENT), PATIENT_ID, None, NOW)


def test_a_doctor_reads_while_an_appointment_is_open() -> None:
    assert may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, CareRelationship(1, None), NOW)
    assert not may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, None, NOW)


@pytest.mark.parametrize(("days_since", "allowed"), [(0, True), (89, True), (90, True), (91, False)])
def test_a_doctor_reads_for_ninety_days_after_the_last_appointment(days_since: int, allowed: bool) -> None:
    relationship = CareRelationship(0, NOW - timedelta(days=days_since))
    assert may_read_medical_data(principal(Role.DOCTOR), PATIENT_ID, relationship, NOW) is allowed


@pytest.mark.parametrize("role", [Role.CLINIC_ADMIN, Role.PHARMACY, Role.SYSTEM_ADMIN])
def test_clinic_admins_pharmacies_and_system_admins_never_read_medical_data(role: Role) -> None:
    assert not may_read_medical_data(principal(role), PATIENT_ID, CareRelationship(3, NOW), NOW)
