"""Events the profile service publishes, and its handlers of the auth and appointments services' events."""

from __future__ import annotations

import time
import uuid

from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.auth.v1 import events_pb2 as auth_events
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.consumer import Subscription, subscribe
from services.common.context import Role
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
from services.profile.domain.affiliations import Affiliation
from services.profile.domain.clinics import Clinic, ClinicChanges, with_default_currency
from services.profile.domain.doctors import Doctor
from services.profile.domain.pharmacies import Pharmacy, PharmacyChanges

# Published


async def doctor_updated(session: AsyncSession, doctor: Doctor) -> None:
    await record_event(
        session, DOCTOR_UPDATED, messages.doctor_updated(doctor), entity_id=doctor.id, entity_version=doctor.version
    )


async def doctor_changed(session: AsyncSession, doctor_id: uuid.UUID) -> None:
    """A doctor's entry changed through something else (their name, their clinics, their approval):
    a new version of it is published. Nothing happens when the user is not a doctor."""
    doctor = await store.doctors.touch(session, doctor_id)
    if doctor is not None:
        await doctor_updated(session, doctor)


async def clinic_updated(session: AsyncSession, clinic: Clinic) -> None:
    await record_event(
        session, CLINIC_UPDATED, messages.clinic_updated(clinic), entity_id=clinic.id, entity_version=clinic.version
    )


async def affiliation_updated(session: AsyncSession, affiliation: Affiliation) -> None:
    entity = f"{affiliation.clinic_id}/{affiliation.doctor_id}"
    event = messages.affiliation_updated(affiliation)
    await record_event(session, AFFILIATION_UPDATED, event, entity_id=entity, entity_version=affiliation.version)


async def pharmacy_updated(session: AsyncSession, pharmacy: Pharmacy) -> None:
    event = messages.pharmacy_updated(pharmacy)
    await record_event(session, PHARMACY_UPDATED, event, entity_id=pharmacy.id, entity_version=pharmacy.version)


async def consent_changed(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID, *, granted: bool) -> None:
    event = messages.consent_changed(patient_id, doctor_id, granted=granted)
    # A consent row disappears when revoked, so its version is the time of the change (microseconds).
    version = time.time_ns() // 1000
    event_type = CONSENT_GRANTED if granted else CONSENT_REVOKED
    await record_event(session, event_type, event, entity_id=f"{patient_id}/{doctor_id}", entity_version=version)


async def license_changed(session: AsyncSession, user_id: uuid.UUID, license_number: str, version: int) -> None:
    """The auth service returns the account to PENDING_APPROVAL (SPEC 3.2)."""
    event = messages.license_changed(user_id, license_number)
    await record_event(session, LICENSE_CHANGED, event, entity_id=user_id, entity_version=version)


# Handled: the auth service's account events


async def _create_clinic(session: AsyncSession, admin_id: uuid.UUID, details: ClinicChanges) -> None:
    await store.clinics.lock_admin(session, admin_id)
    if await store.clinics.any_of_admin(session, admin_id):
        return  # created through the API before this event arrived
    clinic = await store.clinics.insert(session, admin_id, with_default_currency(details))
    await clinic_updated(session, clinic)


async def _create_pharmacy(session: AsyncSession, owner_id: uuid.UUID, details: PharmacyChanges) -> None:
    await store.pharmacies.lock_owner(session, owner_id)
    if await store.pharmacies.of_owner(session, owner_id) is not None:
        return
    if await store.pharmacies.license_holder(session, details.license_number) is not None:
        return  # the owner registers the pharmacy through the API with a license of their own
    pharmacy = await store.pharmacies.insert(session, owner_id, details)
    await pharmacy_updated(session, pharmacy)


async def on_user_registered(session: AsyncSession, event: auth_events.UserRegistered, applied: bool) -> None:
    """Create the profile and what the role brings: patient, doctor, clinic or pharmacy (idempotently)."""
    profile = messages.registered_profile(event.user)
    await store.profiles.insert(session, profile, refresh_identity=True)
    if profile.role is Role.PATIENT:
        await store.patients.insert_if_missing(session, profile.id)
    elif profile.role is Role.DOCTOR:
        if await store.doctors.insert_if_missing(session, profile.id):
            doctor = await store.doctors.get(session, profile.id)
            assert doctor is not None  # created in this transaction
            await doctor_updated(session, doctor)
    elif profile.role is Role.CLINIC_ADMIN and event.HasField("clinic"):
        await _create_clinic(session, profile.id, messages.registered_clinic(event.clinic))
    elif profile.role is Role.PHARMACY and event.HasField("pharmacy"):
        await _create_pharmacy(session, profile.id, messages.registered_pharmacy(event.pharmacy))


async def on_account_status(session: AsyncSession, event: StatusEvent, applied: bool) -> None:
    """Directory entries that show `verified` are republished when the mirror took a newer status."""
    if not applied:
        return  # an older event than what we hold
    user_id = uuid.UUID(event.user.id)
    await doctor_changed(session, user_id)
    pharmacy = await store.pharmacies.of_owner(session, user_id)
    if pharmacy is not None:
        await pharmacy_updated(session, await store.pharmacies.touch(session, pharmacy.id))


# Handled: the appointments service's appointment events


async def on_appointment_changed(session: AsyncSession, event: appointment_events.AppointmentChanged) -> None:
    """Mirror appointments: they decide the care relationship (SPEC 2) and who may rate whom."""
    await store.visits.apply(session, messages.visit(event))


def subscriptions() -> list[Subscription]:
    return [
        *account_subscriptions(on_registered=on_user_registered, on_status_changed=on_account_status),
        *(subscribe(event, on_appointment_changed) for event in APPOINTMENT_CHANGES),
    ]
