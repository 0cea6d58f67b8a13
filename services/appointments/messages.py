"""Conversions between protobuf messages and the appointments domain: requests in, resources and
event payloads out, and the events of other services this one consumes."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import NoReturn
from zoneinfo import ZoneInfo

from pulseone.appointments.v1 import appointments_pb2, events_pb2, resources_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.events.v1 import metadata_pb2
from pulseone.profile.v1 import events_pb2 as profile_events
from pulseone.profile.v1 import resources_pb2 as profile_resources

from services.appointments.domain.availability import CalendarDay, Occurrence
from services.appointments.domain.booking import (
    SYSTEM,
    Actor,
    Appointment,
    AppointmentType,
    BookingRequest,
    Details,
    Rescheduling,
    Status,
    StatusChange,
)
from services.appointments.domain.directory import AccountChange, Affiliation, Clinic, Consent, Doctor
from services.appointments.domain.notes import HistoryEntry, NotesChange, NotesRecord
from services.appointments.domain.queue import Position, Queue, QueueEntry
from services.appointments.domain.schedule import (
    DateOverride,
    NewSession,
    Override,
    ServiceType,
    Session,
    SessionSpec,
    SessionUpdate,
)
from services.appointments.domain.visibility import AppointmentQuery
from services.common.errors import invalid_field
from services.common.fields import optional_uuid, parse_uuid, require_date, require_instant, require_time
from services.common.json_names import json_name
from services.common.timestamps import set_time
from services.common.updates import requested_changes

DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
SESSION_FIELDS = frozenset(
    {
        "clinic_id", "day_of_week", "session_start_time", "session_end_time", "service_type", "max_queue_size",
        "estimated_consultation_minutes", "effective_from", "effective_until",
    }
)  # fmt: skip
NOTE_FIELDS = frozenset(
    {
        "chief_complaint", "diagnosis", "treatment_plan", "vital_signs", "follow_up_required", "follow_up_in_days",
        "follow_up_instructions",
    }
)  # fmt: skip


def _hm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _id(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# Request values


def optional_date(value: str, field: str) -> date | None:
    return require_date(value, field) if value else None


def optional_instant(value: str, field: str) -> datetime | None:
    return require_instant(value, field) if value else None


def service_type_of(value: int) -> ServiceType | None:
    return ServiceType(resources_pb2.Session.ServiceType.Name(value)) if value else None


def _cannot_clear(field: str) -> NoReturn:
    raise invalid_field(field, "cannot be cleared")


def new_session(request: appointments_pb2.CreateSessionRequest) -> NewSession:
    s = request.session
    doctor_id = optional_uuid(s.doctor_id, "doctorId")
    spec = SessionSpec(
        clinic_id=optional_uuid(s.clinic_id, "clinicId"),
        day_of_week=s.day_of_week,
        session_start_time=require_time(s.session_start_time, "sessionStartTime"),
        session_end_time=require_time(s.session_end_time, "sessionEndTime"),
        service_type=service_type_of(s.service_type),
        max_queue_size=s.max_queue_size,
        estimated_consultation_minutes=s.estimated_consultation_minutes,
        effective_from=optional_date(s.effective_from, "effectiveFrom"),
        effective_until=optional_date(s.effective_until, "effectiveUntil"),
    )
    return NewSession(doctor_id=doctor_id, spec=spec)


def session_update(request: appointments_pb2.UpdateSessionRequest) -> SessionUpdate:
    """The fields an update changes (SPEC's update rule), parsed; required ones cannot be cleared."""
    found = requested_changes(request.session, request.update_mask, SESSION_FIELDS)
    values: dict[str, object] = {}
    for name, value in found.items():
        if name in ("session_start_time", "session_end_time"):
            values[name] = require_time(value, json_name(name))
        elif name == "effective_from":
            if not value:
                _cannot_clear("effectiveFrom")
            values[name] = require_date(value, "effectiveFrom")
        elif name == "effective_until":
            values[name] = optional_date(value, "effectiveUntil")
        elif name == "clinic_id":
            values[name] = optional_uuid(value, "clinicId")
        elif name == "service_type":
            if not value:
                _cannot_clear("serviceType")
            values[name] = service_type_of(value)
        else:
            values[name] = value
    return SessionUpdate(fields=frozenset(found), **values)  # type: ignore[arg-type]


def override_of(request: appointments_pb2.CreateOverrideRequest) -> Override:
    o = request.override
    day = require_date(o.date, "date")
    changes = DateOverride(
        cancelled=o.cancelled,
        start=require_time(o.start_time, "startTime") if o.start_time else None,
        end=require_time(o.end_time, "endTime") if o.end_time else None,
        capacity=o.max_queue_size or None,
        reason=o.reason,
    )
    return Override(session_id=parse_uuid(request.session_id, "sessionId"), date=day, changes=changes)


def booking_request(request: appointments_pb2.BookAppointmentRequest) -> BookingRequest:
    return BookingRequest(
        session_id=parse_uuid(request.session_id, "sessionId"),
        appointment_date=optional_date(request.appointment_date, "appointmentDate"),
        patient_id=optional_uuid(request.patient_id, "patientId"),
        appointment_type=(
            AppointmentType(resources_pb2.Appointment.Type.Name(request.appointment_type))
            if request.appointment_type
            else AppointmentType.IN_PERSON
        ),
        chief_complaint=request.chief_complaint,
        request_id=optional_uuid(request.request_id, "requestId"),
    )


def rescheduling(request: appointments_pb2.RescheduleAppointmentRequest) -> Rescheduling:
    return Rescheduling(
        appointment_id=parse_uuid(request.appointment_id, "appointmentId"),
        session_id=optional_uuid(request.session_id, "sessionId"),
        appointment_date=require_date(request.appointment_date, "appointmentDate"),
        request_id=optional_uuid(request.request_id, "requestId"),
    )


def appointment_query(request: appointments_pb2.ListAppointmentsRequest) -> AppointmentQuery:
    return AppointmentQuery(
        patient_id=optional_uuid(request.patient_id, "patientId"),
        doctor_id=optional_uuid(request.doctor_id, "doctorId"),
        clinic_id=optional_uuid(request.clinic_id, "clinicId"),
        day=optional_date(request.date, "date"),
        status=Status(resources_pb2.Appointment.Status.Name(request.status)) if request.status else None,
        upcoming=request.upcoming,
    )


def details_of(request: appointments_pb2.UpdateAppointmentRequest) -> Details:
    """What the request sets; fields it leaves out stay as they are."""
    return Details(
        actual_start_time=require_instant(request.actual_start_time, "actualStartTime")
        if request.HasField("actual_start_time")
        else None,
        actual_end_time=require_instant(request.actual_end_time, "actualEndTime")
        if request.HasField("actual_end_time")
        else None,
        doctor_notes=request.doctor_notes if request.HasField("doctor_notes") else None,
        chief_complaint=request.chief_complaint if request.HasField("chief_complaint") else None,
    )


def notes_change(request: appointments_pb2.UpdateNotesRequest) -> NotesChange:
    """The fields the update names (SPEC's update rule), with the vital signs as sent."""
    n = request.notes
    return NotesChange(
        fields=frozenset(requested_changes(n, request.update_mask, NOTE_FIELDS)),
        chief_complaint=n.chief_complaint,
        diagnosis=n.diagnosis,
        treatment_plan=n.treatment_plan,
        vital_signs=dict(n.vital_signs),
        follow_up_required=n.follow_up_required,
        follow_up_in_days=n.follow_up_in_days,
        follow_up_instructions=n.follow_up_instructions,
    )


# Resources


def session_message(session: Session) -> resources_pb2.Session:
    message = resources_pb2.Session(
        id=str(session.id),
        doctor_id=str(session.doctor_id),
        clinic_id=_id(session.clinic_id),
        day_of_week=DAYS[session.day_of_week - 1],
        session_start_time=_hm(session.session_start_time),
        session_end_time=_hm(session.session_end_time),
        service_type=session.service_type.value,
        max_queue_size=session.max_queue_size,
        estimated_consultation_minutes=session.estimated_consultation_minutes,
        effective_from=_day(session.effective_from),
        effective_until=_day(session.effective_until),
        active=session.active,
        time_zone=session.time_zone,
        fee=_money(session.fee),
        currency=session.currency or "",
        doctor_name=session.doctor_name,
        clinic_name=session.clinic_name or "",
    )
    set_time(message.create_time, session.created_at)
    set_time(message.update_time, session.updated_at)
    return message


def override_message(override: Override) -> resources_pb2.SessionOverride:
    changes = override.changes
    return resources_pb2.SessionOverride(
        session_id=str(override.session_id),
        date=_day(override.date),
        cancelled=changes.cancelled,
        start_time=_hm(changes.start),
        end_time=_hm(changes.end),
        max_queue_size=changes.capacity or 0,
        reason=changes.reason,
    )


def _local_hm(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def occurrence_message(occurrence: Occurrence) -> resources_pb2.Occurrence:
    session = occurrence.session
    message = resources_pb2.Occurrence(
        session_id=str(session.id),
        date=_day(occurrence.date),
        doctor_id=str(session.doctor_id),
        doctor_name=session.doctor_name,
        clinic_id=_id(session.clinic_id),
        clinic_name=session.clinic_name or "",
        service_type=session.service_type.value,
        start_time=_local_hm(occurrence.start, session.time_zone),
        end_time=_local_hm(occurrence.end, session.time_zone),
        time_zone=session.time_zone,
        capacity=occurrence.capacity,
        booked=occurrence.booked,
        available=occurrence.available,
        fee=_money(session.fee),
        currency=session.currency or "",
        cancelled=occurrence.cancelled,
        cancellation_reason=occurrence.reason if occurrence.cancelled else "",
    )
    set_time(message.estimated_start_time, occurrence.estimated_start)
    return message


def calendar_day_message(day: CalendarDay) -> resources_pb2.CalendarDay:
    return resources_pb2.CalendarDay(
        date=day.date.isoformat(),
        available=day.available,
        unavailable_reason=day.unavailable_reason or "UNAVAILABILITY_UNSPECIFIED",
        occurrences=[occurrence_message(o) for o in day.occurrences],
    )


def appointment_message(appointment: Appointment) -> resources_pb2.Appointment:
    """The appointment as given: the use cases decide what of it a caller sees (domain/visibility.py)."""
    message = resources_pb2.Appointment(
        id=str(appointment.id),
        session_id=str(appointment.session_id),
        appointment_date=_day(appointment.appointment_date),
        patient_id=str(appointment.patient_id),
        doctor_id=str(appointment.doctor_id),
        doctor_name=appointment.doctor_name,
        specialization=appointment.specialization or "",
        clinic_id=_id(appointment.clinic_id),
        clinic_name=appointment.clinic_name or "",
        appointment_type=appointment.appointment_type.value,
        status=appointment.status.value,
        queue_number=appointment.queue_number,
        chief_complaint=appointment.chief_complaint,
        estimated_wait_minutes=appointment.estimated_wait_minutes,
        fee=_money(appointment.fee),
        currency=appointment.currency,
        cancellation_reason=appointment.cancellation_reason,
        cancelled_by_role=appointment.cancelled_by_role,
        rescheduled_from_id=_id(appointment.rescheduled_from_id),
        video_session_id=_id(appointment.video_session_id),
        time_zone=appointment.time_zone,
        doctor_notes=appointment.doctor_notes,
    )
    set_time(message.estimated_start_time, appointment.estimated_start_time)
    set_time(message.actual_start_time, appointment.actual_start_time)
    set_time(message.actual_end_time, appointment.actual_end_time)
    set_time(message.create_time, appointment.created_at)
    set_time(message.update_time, appointment.updated_at)
    return message


def status_change_message(change: StatusChange) -> resources_pb2.StatusChange:
    message = resources_pb2.StatusChange(
        from_status=change.from_status.value if change.from_status else "STATUS_UNSPECIFIED",
        to_status=change.to_status.value,
        actor_id=_id(change.actor_id),
        actor_role=change.actor_role,
        reason=change.reason,
    )
    set_time(message.change_time, change.changed_at)
    return message


def _queue_entry(entry: QueueEntry) -> resources_pb2.QueueEntry:
    message = resources_pb2.QueueEntry(
        appointment_id=str(entry.appointment_id),
        queue_number=entry.queue_number,
        patient_id=str(entry.patient_id),
        status=entry.status.value,
    )
    set_time(message.expected_start_time, entry.expected_start)
    set_time(message.actual_start_time, entry.actual_start)
    return message


def queue_message(queue: Queue) -> resources_pb2.Queue:
    message = resources_pb2.Queue(
        session_id=str(queue.session_id),
        date=queue.date.isoformat(),
        waiting=[_queue_entry(e) for e in queue.waiting],
        not_arrived=[_queue_entry(e) for e in queue.not_arrived],
        done=[_queue_entry(e) for e in queue.done],
        average_consultation_minutes=round(queue.average_consultation.total_seconds() / 60),
    )
    if queue.now_serving is not None:
        message.now_serving.CopyFrom(_queue_entry(queue.now_serving))
    return message


def position_message(position: Position) -> resources_pb2.Position:
    message = resources_pb2.Position(
        appointment_id=str(position.appointment_id),
        queue_number=position.queue_number,
        patients_ahead=position.patients_ahead,
        now_serving=position.now_serving,
        status=position.status.value,
    )
    set_time(message.expected_start_time, position.expected_start)
    return message


def notes_message(record: NotesRecord) -> resources_pb2.ConsultationNotes:
    notes = record.notes
    message = resources_pb2.ConsultationNotes(
        appointment_id=str(notes.appointment_id),
        doctor_id=str(notes.doctor_id),
        patient_id=str(notes.patient_id),
        chief_complaint=notes.chief_complaint,
        diagnosis=notes.diagnosis,
        treatment_plan=notes.treatment_plan,
        vital_signs=notes.vital_signs,
        follow_up_required=notes.follow_up_required,
        follow_up_in_days=notes.follow_up_in_days or 0,
        follow_up_instructions=notes.follow_up_instructions,
        locked=record.locked,
        addenda=[resources_pb2.Addendum(id=str(a.id), author_id=str(a.author_id), text=a.text) for a in record.addenda],
    )
    for addendum, written in zip(message.addenda, record.addenda, strict=True):
        addendum.create_time.FromDatetime(written.created_at)
    set_time(message.create_time, notes.created_at)
    set_time(message.update_time, notes.updated_at)
    return message


def history_response(entries: list[HistoryEntry], next_page_token: str) -> appointments_pb2.ListPatientHistoryResponse:
    response = appointments_pb2.ListPatientHistoryResponse(next_page_token=next_page_token)
    for entry in entries:
        added = response.appointments.add(appointment=appointment_message(entry.appointment))
        if entry.notes is not None:
            added.notes.CopyFrom(notes_message(entry.notes))
    return response


# Events this service publishes


def appointment_changed(appointment: Appointment, previous: Status | None) -> events_pb2.AppointmentChanged:
    return events_pb2.AppointmentChanged(
        appointment=appointment_message(appointment), previous_status=previous.value if previous else None
    )


def session_changed(session: Session) -> events_pb2.SessionChanged:
    return events_pb2.SessionChanged(session=session_message(session))


# Events this service consumes


def actor_of(metadata: metadata_pb2.EventMetadata) -> Actor:
    """Who caused an upstream change, recorded as the actor of what it does here (else the system)."""
    return Actor(uuid.UUID(metadata.actor_id) if metadata.actor_id else None, metadata.actor_role or SYSTEM.role)


def account_change_of(user: auth_pb2.User) -> AccountChange:
    return AccountChange(
        user_id=uuid.UUID(user.id),
        role=auth_pb2.User.Role.Name(user.role),
        status=auth_pb2.User.Status.Name(user.status),
    )


def _fee(value: str) -> Decimal:
    """A fee as profile sends it; anything unreadable counts as no fee."""
    try:
        return Decimal(value) if value else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def doctor_of(event: profile_events.DoctorUpdated) -> Doctor:
    return doctor_from(event.doctor, version=event.metadata.entity_version)


def doctor_from(doctor: profile_resources.Doctor, *, version: int) -> Doctor:
    """A doctor as profile describes them (in an event, or read from it: version 0, which any event
    replaces)."""
    return Doctor(
        id=uuid.UUID(doctor.id),
        first_name=doctor.first_name,
        last_name=doctor.last_name,
        specialization=doctor.specialization,
        consultation_fee=_fee(doctor.consultation_fee),
        currency=doctor.currency,
        time_zone=doctor.time_zone,
        offers_virtual=doctor.offers_virtual,
        version=version,
    )


def clinic_of(event: profile_events.ClinicUpdated) -> Clinic:
    clinic = event.clinic
    return Clinic(
        id=uuid.UUID(clinic.id),
        admin_id=uuid.UUID(clinic.admin_id),
        name=clinic.name,
        time_zone=clinic.time_zone,
        currency=clinic.currency,
        active=clinic.active,
        version=event.metadata.entity_version,
    )


def affiliation_of(event: profile_events.AffiliationUpdated) -> Affiliation:
    affiliation = event.affiliation
    return Affiliation(
        clinic_id=uuid.UUID(affiliation.clinic_id),
        doctor_id=uuid.UUID(affiliation.doctor_id),
        status=profile_resources.ClinicDoctor.Status.Name(affiliation.status),
        version=event.metadata.entity_version,
    )


def consent_of(event: profile_events.ConsentChanged) -> Consent:
    return Consent(
        patient_id=uuid.UUID(event.patient_id),
        doctor_id=uuid.UUID(event.doctor_id),
        granted=event.granted,
        version=event.metadata.entity_version,
    )
