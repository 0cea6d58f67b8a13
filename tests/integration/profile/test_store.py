"""The profile store against a real PostgreSQL: constraints become named errors, projections keep the newest."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.common.db import transaction
from services.profile import store
from services.profile.domain.errors import LicenseTaken, PharmacyExists
from services.profile.domain.pharmacies import PharmacyChanges
from services.profile.domain.visits import Visit
from tests.integration.conftest import ProfileHarness


def pharmacy(license_number: str) -> PharmacyChanges:
    return PharmacyChanges(frozenset({"name", "license_number"}), name="Green Cross", license_number=license_number)


async def test_the_unique_license_number_is_a_named_error(profile: ProfileHarness) -> None:
    sessions = profile.runtime.infra.sessions
    license_number = f"PH-{uuid.uuid4().hex[:8]}"
    async with transaction(sessions) as session:
        await store.pharmacies.insert(session, uuid.uuid4(), pharmacy(license_number))
    with pytest.raises(LicenseTaken):
        async with transaction(sessions) as session:
            await store.pharmacies.insert(session, uuid.uuid4(), pharmacy(license_number))


async def test_one_pharmacy_per_owner_is_a_named_error(profile: ProfileHarness) -> None:
    sessions = profile.runtime.infra.sessions
    owner = uuid.uuid4()
    async with transaction(sessions) as session:
        await store.pharmacies.insert(session, owner, pharmacy(f"PH-{uuid.uuid4().hex[:8]}"))
    with pytest.raises(PharmacyExists):
        async with transaction(sessions) as session:
            await store.pharmacies.insert(session, owner, pharmacy(f"PH-{uuid.uuid4().hex[:8]}"))


async def test_an_older_appointment_event_does_not_overwrite_a_visit(profile: ProfileHarness) -> None:
    sessions = profile.runtime.infra.sessions
    patient_id, doctor_id = uuid.uuid4(), uuid.uuid4()
    start = datetime.now(UTC) - timedelta(days=1)
    booked = Visit(uuid.uuid4(), patient_id, doctor_id, "BOOKED", start, None, 1)
    completed = Visit(booked.appointment_id, patient_id, doctor_id, "COMPLETED", start, start + timedelta(hours=1), 4)
    async with transaction(sessions) as session:
        await store.visits.apply(session, completed)
        await store.visits.apply(session, booked)
    async with sessions() as session:
        assert await store.visits.has_completed(session, patient_id, doctor_id)
        relationship = await store.visits.care_relationship(session, patient_id, doctor_id)
    assert relationship is not None
    assert (relationship.open_appointments, relationship.last_appointment_at) == (0, completed.ends_at)
