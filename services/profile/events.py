"""Events the profile service publishes, and its handlers of the auth service's account events."""

from __future__ import annotations

import time
import uuid
from datetime import UTC
from typing import Any

from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.profile.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.consumer import Subscription, subscribe
from services.common.db import Row
from services.common.event_catalogue import (
    AFFILIATION_UPDATED,
    APPOINTMENT_CHANGES,
    CLINIC_UPDATED,
    CONSENT_GRANTED,
    CONSENT_REVOKED,
    DOCTOR_UPDATED,
    LICENSE_CHANGED,
    PHARMACY_UPDATED,
)
from services.common.outbox import record_event
from services.common.projections import StatusEvent, account_subscriptions
from services.profile import messages, store

# A clinic created from a registration, before its admin sets the currency.
DEFAULT_CURRENCY = "USD"


async def doctor_updated(session: AsyncSession, doctor_id: uuid.UUID) -> None:
    row = await store.doctor(session, doctor_id)
    if row is None:
        return
    message = messages.doctor_message(row, await store.doctor_clinics(session, doctor_id))
    event = events_pb2.DoctorUpdated(doctor=message)
    await record_event(session, DOCTOR_UPDATED, event, entity_id=doctor_id, entity_version=row["version"])


async def clinic_updated(session: AsyncSession, row: Row) -> None:
    event = events_pb2.ClinicUpdated(clinic=messages.clinic_message(row))
    await record_event(session, CLINIC_UPDATED, event, entity_id=row["id"], entity_version=row["version"])


async def affiliation_updated(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Row:
    row = await store.affiliation(session, clinic_id, doctor_id)
    assert row is not None  # written in this transaction
    event = events_pb2.AffiliationUpdated(affiliation=messages.affiliation_message(row))
    entity = f"{clinic_id}/{doctor_id}"
    await record_event(session, AFFILIATION_UPDATED, event, entity_id=entity, entity_version=row["version"])
    return row


async def pharmacy_updated(session: AsyncSession, pharmacy_id: uuid.UUID) -> Row:
    row = await store.pharmacy(session, pharmacy_id)
    assert row is not None  # written in this transaction
    event = events_pb2.PharmacyUpdated(pharmacy=messages.pharmacy_message(row))
    await record_event(session, PHARMACY_UPDATED, event, entity_id=pharmacy_id, entity_version=row["version"])
    return row


async def consent_changed(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID, *, granted: bool) -> None:
    event = events_pb2.ConsentChanged(patient_id=str(patient_id), doctor_id=str(doctor_id), granted=granted)
    # A consent row disappears when revoked, so its version is the time of the change (microseconds).
    version = time.time_ns() // 1000
    event_type = CONSENT_GRANTED if granted else CONSENT_REVOKED
    await record_event(session, event_type, event, entity_id=f"{patient_id}/{doctor_id}", entity_version=version)


async def license_changed(session: AsyncSession, user_id: uuid.UUID, license_number: str, version: int) -> None:
    event = events_pb2.LicenseChanged(user_id=str(user_id), license_number=license_number)
    await record_event(session, LICENSE_CHANGED, event, entity_id=user_id, entity_version=version)


# Handlers of auth events


def _role(user: auth_pb2.User) -> str:
    return str(auth_pb2.User.Role.Name(user.role))


async def _create_clinic(session: AsyncSession, admin_id: uuid.UUID, details: auth_pb2.ClinicDetails) -> None:
    await store.lock_key(session, f"clinic-admin:{admin_id}")
    if await store.clinics_of(session, admin_id):
        return  # created through the API before this event arrived
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "admin_id": admin_id,
        "name": details.name,
        "address": details.address,
        "phone": details.phone,
        "time_zone": details.time_zone,
        "currency": DEFAULT_CURRENCY,
        "version": 1,
    }
    await store.insert_if_missing(session, store.clinics, values, ["id"])
    row = await store.clinic(session, values["id"])
    assert row is not None
    await clinic_updated(session, row)


async def _create_pharmacy(session: AsyncSession, owner_id: uuid.UUID, details: auth_pb2.PharmacyDetails) -> None:
    await store.lock_key(session, f"pharmacy-owner:{owner_id}")
    if await store.pharmacy_of(session, owner_id) is not None:
        return
    if await store.license_holder(session, details.license_number) is not None:
        return  # the owner registers the pharmacy through the API with a license of their own
    pharmacy_id = uuid.uuid4()
    values = {
        "id": pharmacy_id,
        "owner_id": owner_id,
        "name": details.name,
        "license_number": details.license_number,
        "address": details.address,
        "phone": details.phone,
        "version": 1,
    }
    await store.insert_if_missing(session, store.pharmacies, values, ["id"])
    await pharmacy_updated(session, pharmacy_id)


async def on_user_registered(session: AsyncSession, event: auth_events.UserRegistered, applied: bool) -> None:
    """Create the profile and what the role brings: patient, doctor, clinic or pharmacy."""
    user = event.user
    user_id = uuid.UUID(user.id)
    role = _role(user)
    profile = {
        "id": user_id,
        "email": user.email,
        "role": role,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone_number": user.phone_number,
    }
    await store.insert_profile(session, profile, refresh_identity=True)
    if role == "PATIENT":
        await store.insert_if_missing(session, store.patients, {"id": user_id, "version": 1}, ["id"])
    elif role == "DOCTOR":
        if await store.insert_if_missing(session, store.doctors, {"id": user_id, "version": 1}, ["id"]):
            await doctor_updated(session, user_id)
    elif role == "CLINIC_ADMIN" and event.HasField("clinic"):
        await _create_clinic(session, user_id, event.clinic)
    elif role == "PHARMACY" and event.HasField("pharmacy"):
        await _create_pharmacy(session, user_id, event.pharmacy)


async def on_account_status(session: AsyncSession, event: StatusEvent, applied: bool) -> None:
    """Directory entries that show `verified` are republished when the mirror took a newer status."""
    if not applied:
        return  # an older event than what we hold
    user_id = uuid.UUID(event.user.id)
    if await store.update_row(session, store.doctors, {"id": user_id}, {}) is not None:
        await doctor_updated(session, user_id)
    pharmacy = await store.pharmacy_of(session, user_id)
    if pharmacy is not None:
        await store.update_row(session, store.pharmacies, {"id": pharmacy["id"]}, {})
        await pharmacy_updated(session, pharmacy["id"])


async def on_appointment_changed(session: AsyncSession, event: appointment_events.AppointmentChanged) -> None:
    """Mirror appointments: they decide the care relationship (SPEC 2) and who may rate whom."""
    appointment = event.appointment
    starts = (
        appointment.actual_start_time if appointment.HasField("actual_start_time") else appointment.estimated_start_time
    )
    await store.apply_visit(
        session,
        {
            "appointment_id": uuid.UUID(appointment.id),
            "patient_id": uuid.UUID(appointment.patient_id),
            "doctor_id": uuid.UUID(appointment.doctor_id),
            "status": appointment_resources.Appointment.Status.Name(appointment.status),
            "starts_at": starts.ToDatetime(tzinfo=UTC),
            "ends_at": appointment.actual_end_time.ToDatetime(tzinfo=UTC)
            if appointment.HasField("actual_end_time")
            else None,
            "version": event.metadata.entity_version,
        },
    )


def subscriptions() -> list[Subscription]:
    return [
        *account_subscriptions(on_registered=on_user_registered, on_status_changed=on_account_status),
        *(subscribe(event, on_appointment_changed) for event in APPOINTMENT_CHANGES),
    ]
