"""The directory of doctors, clinics, affiliations, account states and consents, fed by auth and
profile events (newest version wins), and what their changes mean for booked appointments."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from pulseone.auth.v1 import auth_pb2
from pulseone.profile.v1 import events_pb2 as profile_events
from pulseone.profile.v1 import resources_pb2 as profile_resources
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import lifecycle, store
from services.common import event_catalogue as catalogue
from services.common.consumer import Subscription, subscribe
from services.common.projections import StatusEvent, account_subscriptions, upsert_newer


def _today() -> date:
    # The earliest "today" anywhere: an appointment later today in any zone is still in the future.
    return datetime.now(UTC).date()


async def on_account_status(session: AsyncSession, event: StatusEvent, applied: bool) -> None:
    """A doctor who is suspended (or needs approval again) sees nobody: their future appointments
    are cancelled, one ordinary cancellation at a time, so every patient is told."""
    active = event.user.status == auth_pb2.User.ACTIVE
    if applied and event.user.role == auth_pb2.User.DOCTOR and not active:
        actor_id, role = lifecycle.actor_of(event.metadata)
        await lifecycle.cancel_future(
            session,
            from_date=_today(),
            doctor_id=uuid.UUID(event.user.id),
            actor_id=actor_id,
            actor_role=role,
            reason="the doctor is no longer available",
        )


def _fee(value: str) -> Decimal:
    try:
        return Decimal(value) if value else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


async def on_doctor_updated(session: AsyncSession, event: profile_events.DoctorUpdated) -> None:
    doctor = event.doctor
    values = {
        "id": uuid.UUID(doctor.id),
        "first_name": doctor.first_name,
        "last_name": doctor.last_name,
        "specialization": doctor.specialization,
        "consultation_fee": _fee(doctor.consultation_fee),
        "currency": doctor.currency,
        "time_zone": doctor.time_zone,
        "offers_virtual": doctor.offers_virtual,
        "version": event.metadata.entity_version,
    }
    await upsert_newer(session, store.doctors, ["id"], values)


async def on_clinic_updated(session: AsyncSession, event: profile_events.ClinicUpdated) -> None:
    """A clinic that closes takes its sessions and future appointments with it."""
    clinic = event.clinic
    clinic_id = uuid.UUID(clinic.id)
    values = {
        "id": clinic_id,
        "admin_id": uuid.UUID(clinic.admin_id),
        "name": clinic.name,
        "time_zone": clinic.time_zone,
        "currency": clinic.currency,
        "active": clinic.active,
        "version": event.metadata.entity_version,
    }
    if await upsert_newer(session, store.clinics, ["id"], values) and not clinic.active:
        actor_id, role = lifecycle.actor_of(event.metadata)
        await store.deactivate_sessions(session, doctor_id=None, clinic_id=clinic_id)
        await lifecycle.cancel_future(
            session,
            from_date=_today(),
            clinic_id=clinic_id,
            actor_id=actor_id,
            actor_role=role,
            reason="the clinic is closed",
        )


async def on_affiliation_updated(session: AsyncSession, event: profile_events.AffiliationUpdated) -> None:
    """An affiliation that ends takes the doctor's sessions and appointments at that clinic with it."""
    affiliation = event.affiliation
    clinic_id, doctor_id = uuid.UUID(affiliation.clinic_id), uuid.UUID(affiliation.doctor_id)
    status = profile_resources.ClinicDoctor.Status.Name(affiliation.status)
    values = {
        "clinic_id": clinic_id,
        "doctor_id": doctor_id,
        "status": status,
        "version": event.metadata.entity_version,
    }
    applied = await upsert_newer(session, store.affiliations, ["clinic_id", "doctor_id"], values)
    if applied and status == "ENDED":
        actor_id, role = lifecycle.actor_of(event.metadata)
        await store.deactivate_sessions(session, doctor_id=doctor_id, clinic_id=clinic_id)
        await lifecycle.cancel_future(
            session,
            from_date=_today(),
            doctor_id=doctor_id,
            clinic_id=clinic_id,
            actor_id=actor_id,
            actor_role=role,
            reason="the doctor no longer works at this clinic",
        )


async def on_consent_changed(session: AsyncSession, event: profile_events.ConsentChanged) -> None:
    values = {
        "patient_id": uuid.UUID(event.patient_id),
        "doctor_id": uuid.UUID(event.doctor_id),
        "granted": event.granted,
        "version": event.metadata.entity_version,
    }
    await upsert_newer(session, store.consents, ["patient_id", "doctor_id"], values)


def subscriptions() -> list[Subscription]:
    return [
        *account_subscriptions(on_status_changed=on_account_status),
        subscribe(catalogue.DOCTOR_UPDATED, on_doctor_updated),
        subscribe(catalogue.CLINIC_UPDATED, on_clinic_updated),
        subscribe(catalogue.AFFILIATION_UPDATED, on_affiliation_updated),
        subscribe(catalogue.CONSENT_GRANTED, on_consent_changed),
        subscribe(catalogue.CONSENT_REVOKED, on_consent_changed),
    ]
