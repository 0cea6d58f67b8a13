"""Every event of the platform: its subject and its message type, written once for publishers and
subscribers alike (SPEC 4: `pulseone.<service>.<entity>.<event>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from google.protobuf.message import Message
from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.inventory.v1 import events_pb2 as inventory_events
from pulseone.prescriptions.v1 import events_pb2 as prescription_events
from pulseone.profile.v1 import events_pb2 as profile_events
from pulseone.video.v1 import events_pb2 as video_events

M_co = TypeVar("M_co", bound=Message, covariant=True)


@dataclass(frozen=True)
class EventType(Generic[M_co]):
    """A subject and the protobuf message every event on it carries."""

    subject: str
    message: type[M_co]

    def decode(self, data: bytes) -> M_co:
        return self.message.FromString(data)


# Auth: accounts. Every status event carries the whole account.
USER_REGISTERED = EventType("pulseone.auth.user.registered", auth_events.UserRegistered)
USER_APPROVED = EventType("pulseone.auth.user.approved", auth_events.UserApproved)
USER_SUSPENDED = EventType("pulseone.auth.user.suspended", auth_events.UserSuspended)
USER_REACTIVATED = EventType("pulseone.auth.user.reactivated", auth_events.UserReactivated)
USER_APPROVAL_REVOKED = EventType("pulseone.auth.user.approval_revoked", auth_events.UserApprovalRevoked)
ACCOUNT_STATUS_CHANGES: tuple[EventType[Message], ...] = (
    USER_APPROVED,
    USER_SUSPENDED,
    USER_REACTIVATED,
    USER_APPROVAL_REVOKED,
)

# Profile: the directory others mirror, consents, license changes.
DOCTOR_UPDATED = EventType("pulseone.profile.doctor.updated", profile_events.DoctorUpdated)
CLINIC_UPDATED = EventType("pulseone.profile.clinic.updated", profile_events.ClinicUpdated)
AFFILIATION_UPDATED = EventType("pulseone.profile.affiliation.updated", profile_events.AffiliationUpdated)
PHARMACY_UPDATED = EventType("pulseone.profile.pharmacy.updated", profile_events.PharmacyUpdated)
CONSENT_GRANTED = EventType("pulseone.profile.consent.granted", profile_events.ConsentChanged)
CONSENT_REVOKED = EventType("pulseone.profile.consent.revoked", profile_events.ConsentChanged)
LICENSE_CHANGED = EventType("pulseone.profile.license.changed", profile_events.LicenseChanged)

# Appointments: one subject per status an appointment reaches, `updated` for other changes.
APPOINTMENT_BOOKED = EventType("pulseone.appointments.appointment.booked", appointment_events.AppointmentChanged)
APPOINTMENT_CHECKED_IN = EventType(
    "pulseone.appointments.appointment.checked_in", appointment_events.AppointmentChanged
)
APPOINTMENT_STARTED = EventType("pulseone.appointments.appointment.started", appointment_events.AppointmentChanged)
APPOINTMENT_COMPLETED = EventType("pulseone.appointments.appointment.completed", appointment_events.AppointmentChanged)
APPOINTMENT_CANCELLED = EventType("pulseone.appointments.appointment.cancelled", appointment_events.AppointmentChanged)
APPOINTMENT_NO_SHOW = EventType("pulseone.appointments.appointment.no_show", appointment_events.AppointmentChanged)
APPOINTMENT_UPDATED = EventType("pulseone.appointments.appointment.updated", appointment_events.AppointmentChanged)
APPOINTMENT_CHANGES: tuple[EventType[appointment_events.AppointmentChanged], ...] = (
    APPOINTMENT_BOOKED,
    APPOINTMENT_CHECKED_IN,
    APPOINTMENT_STARTED,
    APPOINTMENT_COMPLETED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_NO_SHOW,
    APPOINTMENT_UPDATED,
)
SESSION_CREATED = EventType("pulseone.appointments.session.created", appointment_events.SessionChanged)
SESSION_UPDATED = EventType("pulseone.appointments.session.updated", appointment_events.SessionChanged)
SESSION_DEACTIVATED = EventType("pulseone.appointments.session.deactivated", appointment_events.SessionChanged)

# Prescriptions: one subject per status a prescription reaches (dispense code and notes left out).
PRESCRIPTION_ISSUED = EventType("pulseone.prescriptions.prescription.issued", prescription_events.PrescriptionChanged)
PRESCRIPTION_PARTIALLY_FILLED = EventType(
    "pulseone.prescriptions.prescription.partially_filled", prescription_events.PrescriptionChanged
)
PRESCRIPTION_FILLED = EventType("pulseone.prescriptions.prescription.filled", prescription_events.PrescriptionChanged)
PRESCRIPTION_CANCELLED = EventType(
    "pulseone.prescriptions.prescription.cancelled", prescription_events.PrescriptionChanged
)

# Inventory: dispenses, and each fall to or below a reorder level.
STOCK_DISPENSED = EventType("pulseone.inventory.stock.dispensed", inventory_events.StockDispensed)
STOCK_LOW = EventType("pulseone.inventory.stock.low", inventory_events.StockLow)

# Video: the visit as the call sees it.
VIDEO_SESSION_CREATED = EventType("pulseone.video.session.created", video_events.VideoSessionCreated)
VIDEO_PARTICIPANT_JOINED = EventType("pulseone.video.participant.joined", video_events.ParticipantJoined)
VIDEO_SESSION_ENDED = EventType("pulseone.video.session.ended", video_events.VideoSessionEnded)

CATALOGUE: dict[str, EventType[Message]] = {
    event.subject: event  # type: ignore[misc]
    for event in [value for value in dict(globals()).values() if isinstance(value, EventType)]
}
"""Subject → event type, for tools that meet an event by its subject (replay, dead letters)."""
