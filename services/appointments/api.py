"""The gRPC servicers of pulseone.appointments.v1: protobuf in, one call to the service, protobuf out."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc, resources_pb2

from services.appointments import messages
from services.appointments.booking import ServiceType, Status
from services.appointments.bookings import Booking, Bookings
from services.appointments.live_queue import LiveQueue
from services.appointments.messages import parse_day, parse_instant, parse_time
from services.appointments.records import ClinicalRecords
from services.appointments.scheduling import NewSession, Scheduling
from services.common.context import Role, current_principal
from services.common.errors import invalid_field
from services.common.updates import requested_changes
from services.common.validation import parse_uuid

Context: TypeAlias = grpc.aio.ServicerContext


SESSION_FIELDS = frozenset(
    {
        "clinic_id", "day_of_week", "session_start_time", "session_end_time", "service_type", "max_queue_size",
        "estimated_consultation_minutes", "effective_from", "effective_until",
    }
)  # fmt: skip


def _json(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _missing(field: str) -> object:
    raise invalid_field(field, "cannot be cleared")


def _clinical() -> bool:
    """Doctor notes are clinical: the patient and the doctor see them, a clinic admin never."""
    return current_principal().role is not Role.CLINIC_ADMIN


class SessionApi(appointments_pb2_grpc.SessionServiceServicer):
    def __init__(self, service: Scheduling) -> None:
        self._service = service

    async def CreateSession(
        self, request: appointments_pb2.CreateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        s = request.session
        new = NewSession(
            doctor_id=parse_uuid(s.doctor_id, "doctorId") if s.doctor_id else None,
            clinic_id=parse_uuid(s.clinic_id, "clinicId") if s.clinic_id else None,
            day_of_week=s.day_of_week,
            start=parse_time(s.session_start_time, "sessionStartTime"),
            end=parse_time(s.session_end_time, "sessionEndTime"),
            service_type=ServiceType(resources_pb2.Session.ServiceType.Name(s.service_type))
            if s.service_type
            else None,
            max_queue_size=s.max_queue_size,
            minutes=s.estimated_consultation_minutes,
            effective_from=parse_day(s.effective_from, "effectiveFrom") if s.effective_from else None,
            effective_until=parse_day(s.effective_until, "effectiveUntil") if s.effective_until else None,
        )
        return messages.session_message(await self._service.create_session(current_principal(), new))

    async def ListSessions(
        self, request: appointments_pb2.ListSessionsRequest, context: Context
    ) -> appointments_pb2.ListSessionsResponse:
        rows, next_token = await self._service.list_sessions(
            doctor_id=parse_uuid(request.doctor_id, "doctorId") if request.doctor_id else None,
            clinic_id=parse_uuid(request.clinic_id, "clinicId") if request.clinic_id else None,
            active_only=request.active_only,
            size=request.page_size,
            token=request.page_token,
        )
        return appointments_pb2.ListSessionsResponse(
            sessions=[messages.session_message(r) for r in rows], next_page_token=next_token
        )

    async def GetSession(self, request: appointments_pb2.GetSessionRequest, context: Context) -> resources_pb2.Session:
        return messages.session_message(await self._service.get_session(parse_uuid(request.session_id, "sessionId")))

    async def UpdateSession(
        self, request: appointments_pb2.UpdateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        found = requested_changes(request.session, request.update_mask, SESSION_FIELDS)
        changes: dict[str, object] = {}
        for name, value in found.items():
            if name in ("session_start_time", "session_end_time"):
                changes[name] = parse_time(value, _json(name))
            elif name == "effective_from":
                changes[name] = parse_day(value, "effectiveFrom") if value else _missing("effectiveFrom")
            elif name == "effective_until":
                changes[name] = parse_day(value, "effectiveUntil") if value else None
            elif name == "clinic_id":
                changes[name] = parse_uuid(value, "clinicId") if value else None
            elif name == "service_type":
                changes[name] = resources_pb2.Session.ServiceType.Name(value) if value else _missing("serviceType")
            else:
                changes[name] = value
        row = await self._service.update_session(
            current_principal(), parse_uuid(request.session_id, "sessionId"), changes
        )
        return messages.session_message(row)

    async def GetCalendar(
        self, request: appointments_pb2.GetCalendarRequest, context: Context
    ) -> appointments_pb2.GetCalendarResponse:
        first = getattr(request, "from")
        days = await self._service.calendar(
            parse_uuid(request.doctor_id, "doctorId"), parse_day(first, "from") if first else None, request.days
        )
        return appointments_pb2.GetCalendarResponse(
            days=[
                resources_pb2.CalendarDay(
                    date=d["date"].isoformat(),
                    available=d["available"],
                    unavailable_reason=d["reason"] or "UNAVAILABILITY_UNSPECIFIED",
                    occurrences=[messages.occurrence_message(o) for o in d["occurrences"]],
                )
                for d in days
            ]
        )

    async def DeactivateSession(
        self, request: appointments_pb2.DeactivateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        row = await self._service.deactivate_session(
            current_principal(), parse_uuid(request.session_id, "sessionId"), force=request.force, reason=request.reason
        )
        return messages.session_message(row)

    async def CreateOverride(
        self, request: appointments_pb2.CreateOverrideRequest, context: Context
    ) -> resources_pb2.SessionOverride:
        o = request.override
        values = {
            "date": parse_day(o.date, "date"),
            "cancelled": o.cancelled,
            "start_time": parse_time(o.start_time, "startTime") if o.start_time else None,
            "end_time": parse_time(o.end_time, "endTime") if o.end_time else None,
            "max_queue_size": o.max_queue_size or None,
            "reason": o.reason,
        }
        row = await self._service.save_override(
            current_principal(), parse_uuid(request.session_id, "sessionId"), values
        )
        return messages.override_message(row)

    async def ListOverrides(
        self, request: appointments_pb2.ListOverridesRequest, context: Context
    ) -> appointments_pb2.ListOverridesResponse:
        rows = await self._service.list_overrides(parse_uuid(request.session_id, "sessionId"))
        return appointments_pb2.ListOverridesResponse(overrides=[messages.override_message(r) for r in rows])

    async def DeleteOverride(
        self, request: appointments_pb2.DeleteOverrideRequest, context: Context
    ) -> appointments_pb2.DeleteOverrideResponse:
        await self._service.delete_override(
            current_principal(), parse_uuid(request.session_id, "sessionId"), parse_day(request.date, "date")
        )
        return appointments_pb2.DeleteOverrideResponse()

    async def ListAvailability(
        self, request: appointments_pb2.ListAvailabilityRequest, context: Context
    ) -> appointments_pb2.ListAvailabilityResponse:
        items = await self._service.availability(
            doctor_id=parse_uuid(request.doctor_id, "doctorId") if request.doctor_id else None,
            clinic_id=parse_uuid(request.clinic_id, "clinicId") if request.clinic_id else None,
            specialization=request.specialization,
            service_type=(
                ServiceType(resources_pb2.Session.ServiceType.Name(request.service_type))
                if request.service_type
                else None
            ),
            first=parse_day(getattr(request, "from"), "from") if getattr(request, "from") else None,
            last=parse_day(request.to, "to") if request.to else None,
        )
        return appointments_pb2.ListAvailabilityResponse(occurrences=[messages.occurrence_message(i) for i in items])


class AppointmentApi(appointments_pb2_grpc.AppointmentServiceServicer):
    def __init__(self, service: Bookings) -> None:
        self._service = service

    async def BookAppointment(
        self, request: appointments_pb2.BookAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        booking = Booking(
            session_id=parse_uuid(request.session_id, "sessionId"),
            day=parse_day(request.appointment_date, "appointmentDate") if request.appointment_date else None,
            patient_id=parse_uuid(request.patient_id, "patientId") if request.patient_id else None,
            appointment_type=(
                resources_pb2.Appointment.Type.Name(request.appointment_type)
                if request.appointment_type
                else "IN_PERSON"
            ),
            chief_complaint=request.chief_complaint,
            request_id=parse_uuid(request.request_id, "requestId") if request.request_id else None,
        )
        return messages.appointment_message(
            await self._service.book(current_principal(), booking), with_notes=_clinical()
        )

    async def GetAppointment(
        self, request: appointments_pb2.GetAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        row = await self._service.get_appointment(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def ListAppointments(
        self, request: appointments_pb2.ListAppointmentsRequest, context: Context
    ) -> appointments_pb2.ListAppointmentsResponse:
        rows, next_token = await self._service.list_appointments(
            current_principal(),
            patient_id=parse_uuid(request.patient_id, "patientId") if request.patient_id else None,
            doctor_id=parse_uuid(request.doctor_id, "doctorId") if request.doctor_id else None,
            clinic_id=parse_uuid(request.clinic_id, "clinicId") if request.clinic_id else None,
            day=parse_day(request.date, "date") if request.date else None,
            status=Status(resources_pb2.Appointment.Status.Name(request.status)) if request.status else None,
            upcoming=request.upcoming,
            size=request.page_size,
            token=request.page_token,
        )
        return appointments_pb2.ListAppointmentsResponse(
            appointments=[messages.appointment_message(r, with_notes=_clinical()) for r in rows],
            next_page_token=next_token,
        )

    async def UpdateAppointment(
        self, request: appointments_pb2.UpdateAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        changes: dict[str, object] = {}
        if request.HasField("actual_start_time"):
            changes["actual_start_time"] = parse_instant(request.actual_start_time, "actualStartTime")
        if request.HasField("actual_end_time"):
            changes["actual_end_time"] = parse_instant(request.actual_end_time, "actualEndTime")
        if request.HasField("doctor_notes"):
            changes["doctor_notes"] = request.doctor_notes
        if request.HasField("chief_complaint"):
            changes["chief_complaint"] = request.chief_complaint
        row = await self._service.update_appointment(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), changes
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def RescheduleAppointment(
        self, request: appointments_pb2.RescheduleAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        row = await self._service.reschedule(
            current_principal(),
            parse_uuid(request.appointment_id, "appointmentId"),
            parse_uuid(request.session_id, "sessionId") if request.session_id else None,
            parse_day(request.appointment_date, "appointmentDate"),
            parse_uuid(request.request_id, "requestId") if request.request_id else None,
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def CheckInAppointment(
        self, request: appointments_pb2.CheckInAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        row = await self._service.check_in(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return messages.appointment_message(row, with_notes=_clinical())

    async def StartAppointment(
        self, request: appointments_pb2.StartAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        started = parse_instant(request.actual_start_time, "actualStartTime") if request.actual_start_time else None
        row = await self._service.start(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), started
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def CompleteAppointment(
        self, request: appointments_pb2.CompleteAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        started = parse_instant(request.actual_start_time, "actualStartTime") if request.actual_start_time else None
        ended = parse_instant(request.actual_end_time, "actualEndTime") if request.actual_end_time else None
        row = await self._service.complete(
            current_principal(),
            parse_uuid(request.appointment_id, "appointmentId"),
            started,
            ended,
            request.doctor_notes,
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def MarkNoShow(
        self, request: appointments_pb2.MarkNoShowRequest, context: Context
    ) -> resources_pb2.Appointment:
        row = await self._service.no_show(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return messages.appointment_message(row, with_notes=_clinical())

    async def CancelAppointment(
        self, request: appointments_pb2.CancelAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        row = await self._service.cancel(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), request.reason
        )
        return messages.appointment_message(row, with_notes=_clinical())

    async def ListStatusChanges(
        self, request: appointments_pb2.ListStatusChangesRequest, context: Context
    ) -> appointments_pb2.ListStatusChangesResponse:
        rows = await self._service.history(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return appointments_pb2.ListStatusChangesResponse(
            status_changes=[messages.status_change_message(r) for r in rows]
        )


class QueueApi(appointments_pb2_grpc.QueueServiceServicer):
    def __init__(self, live_queue: LiveQueue) -> None:
        self._queue = live_queue

    async def GetQueue(self, request: appointments_pb2.GetQueueRequest, context: Context) -> resources_pb2.Queue:
        snapshot = await self._queue.get_queue(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            parse_day(request.date, "date") if request.date else None,
        )
        rows, view = snapshot.rows, snapshot.view
        result = resources_pb2.Queue(
            session_id=str(snapshot.session_id),
            date=snapshot.day.isoformat(),
            waiting=[messages.queue_entry(rows[p.appointment_id], at) for p, at in view.waiting],
            not_arrived=[messages.queue_entry(rows[p.appointment_id], at) for p, at in view.not_arrived],
            done=[messages.queue_entry(rows[p.appointment_id]) for p in view.done],
            average_consultation_minutes=round(snapshot.average.total_seconds() / 60),
        )
        if view.now_serving is not None:
            result.now_serving.CopyFrom(messages.queue_entry(rows[view.now_serving.appointment_id]))
        return result

    async def CallNext(self, request: appointments_pb2.CallNextRequest, context: Context) -> resources_pb2.Appointment:
        row = await self._queue.call_next(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            parse_day(request.date, "date") if request.date else None,
            parse_uuid(request.request_id, "requestId") if request.request_id else None,
        )
        return messages.appointment_message(row, with_notes=True)

    async def GetPosition(
        self, request: appointments_pb2.GetPositionRequest, context: Context
    ) -> resources_pb2.Position:
        row, ahead, serving, expected = await self._queue.position(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        position = resources_pb2.Position(
            appointment_id=str(row["id"]),
            queue_number=row["queue_number"],
            patients_ahead=ahead,
            now_serving=serving,
            status=row["status"],
        )
        if expected is not None:
            position.expected_start_time.FromDatetime(expected)
        return position


NOTE_FIELDS = frozenset(
    {
        "chief_complaint", "diagnosis", "treatment_plan", "vital_signs", "follow_up_required", "follow_up_in_days",
        "follow_up_instructions",
    }
)  # fmt: skip


class NotesApi(appointments_pb2_grpc.NotesServiceServicer):
    def __init__(self, records: ClinicalRecords) -> None:
        self._records = records

    async def UpdateNotes(
        self, request: appointments_pb2.UpdateNotesRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        changes = requested_changes(request.notes, request.update_mask, NOTE_FIELDS)
        if request.notes.vital_signs and "vital_signs" not in changes:
            changes["vital_signs"] = dict(request.notes.vital_signs)  # new vitals are added to the record
        if "vital_signs" in changes:
            changes["vital_signs"] = dict(changes["vital_signs"])
        values = await self._records.update_notes(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), changes
        )
        return messages.notes_message(values)

    async def GetNotes(
        self, request: appointments_pb2.GetNotesRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        values = await self._records.get_notes(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return messages.notes_message(values)

    async def AddAddendum(
        self, request: appointments_pb2.AddAddendumRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        values = await self._records.add_addendum(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), request.text
        )
        return messages.notes_message(values)

    async def ListPatientHistory(
        self, request: appointments_pb2.ListPatientHistoryRequest, context: Context
    ) -> appointments_pb2.ListPatientHistoryResponse:
        entries, next_token = await self._records.patient_history(
            current_principal(), parse_uuid(request.patient_id, "patientId"), request.page_size, request.page_token
        )
        response = appointments_pb2.ListPatientHistoryResponse(next_page_token=next_token)
        for row, visible_notes in entries:
            visible = visible_notes is not None
            entry = response.appointments.add(appointment=messages.appointment_message(row, with_notes=visible))
            if visible_notes is not None:
                entry.notes.CopyFrom(messages.notes_message(visible_notes))
        return response
