"""Events the appointments service publishes, and its directory, fed by auth and profile events."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from pulseone.appointments.v1 import events_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.profile.v1 import events_pb2 as profile_events
from pulseone.profile.v1 import resources_pb2 as profile_resources
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import messages, store
from services.appointments.booking import EVENT_OF, Status
from services.common.consumer import Subscription
from services.common.outbox import record_event

APPOINTMENT_PREFIX = "pulseone.appointments.appointment"
SESSION_PREFIX = "pulseone.appointments.session"


async def appointment_changed(
    session: AsyncSession, row: store.Row, previous: Status | None, *, what: str | None = None
) -> None:
    """`pulseone.appointments.appointment.<booked|...>` for a status change, `.updated` for other changes."""
    event = events_pb2.AppointmentChanged(
        appointment=messages.appointment_message(row), previous_status=previous.value if previous else None
    )
    subject = f"{APPOINTMENT_PREFIX}.{what or EVENT_OF[Status(row['status'])]}"
    await record_event(session, subject, event, entity_id=row["id"], entity_version=row["version"])


async def session_changed(session: AsyncSession, row: store.Row, what: str) -> None:
    event = events_pb2.SessionChanged(session=messages.session_message(row))
    await record_event(session, f"{SESSION_PREFIX}.{what}", event, entity_id=row["id"], entity_version=row["version"])


# The directory


async def _account(session: AsyncSession, user: auth_pb2.User, version: int) -> None:
    values = {
        "user_id": uuid.UUID(user.id),
        "role": auth_pb2.User.Role.Name(user.role),
        "status": auth_pb2.User.Status.Name(user.status),
        "version": version,
    }
    await store.upsert_newer(session, store.accounts, ["user_id"], values)


async def on_user_registered(session: AsyncSession, event: auth_events.UserRegistered) -> None:
    await _account(session, event.user, event.metadata.entity_version)


async def on_account_status(
    session: AsyncSession,
    event: auth_events.UserApproved
    | auth_events.UserSuspended
    | auth_events.UserReactivated
    | auth_events.UserApprovalRevoked,
) -> None:
    await _account(session, event.user, event.metadata.entity_version)


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
    await store.upsert_newer(session, store.doctors, ["id"], values)


async def on_clinic_updated(session: AsyncSession, event: profile_events.ClinicUpdated) -> None:
    clinic = event.clinic
    values = {
        "id": uuid.UUID(clinic.id),
        "admin_id": uuid.UUID(clinic.admin_id),
        "name": clinic.name,
        "time_zone": clinic.time_zone,
        "currency": clinic.currency,
        "active": clinic.active,
        "version": event.metadata.entity_version,
    }
    await store.upsert_newer(session, store.clinics, ["id"], values)


async def on_affiliation_updated(session: AsyncSession, event: profile_events.AffiliationUpdated) -> None:
    affiliation = event.affiliation
    values = {
        "clinic_id": uuid.UUID(affiliation.clinic_id),
        "doctor_id": uuid.UUID(affiliation.doctor_id),
        "status": profile_resources.ClinicDoctor.Status.Name(affiliation.status),
        "version": event.metadata.entity_version,
    }
    await store.upsert_newer(session, store.affiliations, ["clinic_id", "doctor_id"], values)


async def on_consent_changed(session: AsyncSession, event: profile_events.ConsentChanged) -> None:
    values = {
        "patient_id": uuid.UUID(event.patient_id),
        "doctor_id": uuid.UUID(event.doctor_id),
        "granted": event.granted,
        "version": event.metadata.entity_version,
    }
    await store.upsert_newer(session, store.consents, ["patient_id", "doctor_id"], values)


def subscriptions() -> list[Subscription]:
    return [
        Subscription("pulseone.auth.user.registered", auth_events.UserRegistered, on_user_registered),
        Subscription("pulseone.auth.user.approved", auth_events.UserApproved, on_account_status),
        Subscription("pulseone.auth.user.suspended", auth_events.UserSuspended, on_account_status),
        Subscription("pulseone.auth.user.reactivated", auth_events.UserReactivated, on_account_status),
        Subscription("pulseone.auth.user.approval_revoked", auth_events.UserApprovalRevoked, on_account_status),
        Subscription("pulseone.profile.doctor.updated", profile_events.DoctorUpdated, on_doctor_updated),
        Subscription("pulseone.profile.clinic.updated", profile_events.ClinicUpdated, on_clinic_updated),
        Subscription("pulseone.profile.affiliation.updated", profile_events.AffiliationUpdated, on_affiliation_updated),
        Subscription("pulseone.profile.consent.granted", profile_events.ConsentChanged, on_consent_changed),
        Subscription("pulseone.profile.consent.revoked", profile_events.ConsentChanged, on_consent_changed),
    ]
