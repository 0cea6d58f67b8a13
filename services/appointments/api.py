"""The gRPC servicers of pulseone.appointments.v1: protobuf in, one use-case call, protobuf out."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc, resources_pb2

from services.appointments import messages
from services.appointments.use_cases.appointments import Appointments
from services.appointments.use_cases.notes import Notes
from services.appointments.use_cases.queue import Queues
from services.appointments.use_cases.sessions import Sessions
from services.common.context import current_principal
from services.common.fields import optional_uuid, parse_uuid, require_date

Context: TypeAlias = grpc.aio.ServicerContext


class SessionApi(appointments_pb2_grpc.SessionServiceServicer):
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def CreateSession(
        self, request: appointments_pb2.CreateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        created = await self._sessions.create_session(current_principal(), messages.new_session(request))
        return messages.session_message(created)

    async def ListSessions(
        self, request: appointments_pb2.ListSessionsRequest, context: Context
    ) -> appointments_pb2.ListSessionsResponse:
        page = await self._sessions.list_sessions(
            doctor_id=optional_uuid(request.doctor_id, "doctorId"),
            clinic_id=optional_uuid(request.clinic_id, "clinicId"),
            active_only=request.active_only,
            size=request.page_size,
            token=request.page_token,
        )
        return appointments_pb2.ListSessionsResponse(
            sessions=[messages.session_message(s) for s in page.items], next_page_token=page.next_page_token
        )

    async def GetSession(self, request: appointments_pb2.GetSessionRequest, context: Context) -> resources_pb2.Session:
        found = await self._sessions.get_session(parse_uuid(request.session_id, "sessionId"))
        return messages.session_message(found)

    async def UpdateSession(
        self, request: appointments_pb2.UpdateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        update = messages.session_update(request)
        updated = await self._sessions.update_session(
            current_principal(), parse_uuid(request.session_id, "sessionId"), update
        )
        return messages.session_message(updated)

    async def GetCalendar(
        self, request: appointments_pb2.GetCalendarRequest, context: Context
    ) -> appointments_pb2.GetCalendarResponse:
        days = await self._sessions.calendar(
            current_principal(),
            parse_uuid(request.doctor_id, "doctorId"),
            messages.optional_date(getattr(request, "from"), "from"),
            request.days,
        )
        return appointments_pb2.GetCalendarResponse(days=[messages.calendar_day_message(d) for d in days])

    async def DeactivateSession(
        self, request: appointments_pb2.DeactivateSessionRequest, context: Context
    ) -> resources_pb2.Session:
        ended = await self._sessions.deactivate_session(
            current_principal(), parse_uuid(request.session_id, "sessionId"), force=request.force, reason=request.reason
        )
        return messages.session_message(ended)

    async def CreateOverride(
        self, request: appointments_pb2.CreateOverrideRequest, context: Context
    ) -> resources_pb2.SessionOverride:
        saved = await self._sessions.save_override(current_principal(), messages.override_of(request))
        return messages.override_message(saved)

    async def ListOverrides(
        self, request: appointments_pb2.ListOverridesRequest, context: Context
    ) -> appointments_pb2.ListOverridesResponse:
        found = await self._sessions.list_overrides(parse_uuid(request.session_id, "sessionId"))
        return appointments_pb2.ListOverridesResponse(overrides=[messages.override_message(o) for o in found])

    async def DeleteOverride(
        self, request: appointments_pb2.DeleteOverrideRequest, context: Context
    ) -> appointments_pb2.DeleteOverrideResponse:
        await self._sessions.delete_override(
            current_principal(), parse_uuid(request.session_id, "sessionId"), require_date(request.date, "date")
        )
        return appointments_pb2.DeleteOverrideResponse()

    async def ListAvailability(
        self, request: appointments_pb2.ListAvailabilityRequest, context: Context
    ) -> appointments_pb2.ListAvailabilityResponse:
        found = await self._sessions.availability(
            doctor_id=optional_uuid(request.doctor_id, "doctorId"),
            clinic_id=optional_uuid(request.clinic_id, "clinicId"),
            specialization=request.specialization,
            service_type=messages.service_type_of(request.service_type),
            first=messages.optional_date(getattr(request, "from"), "from"),
            last=messages.optional_date(request.to, "to"),
        )
        return appointments_pb2.ListAvailabilityResponse(occurrences=[messages.occurrence_message(o) for o in found])


class AppointmentApi(appointments_pb2_grpc.AppointmentServiceServicer):
    def __init__(self, appointments: Appointments) -> None:
        self._appointments = appointments

    async def BookAppointment(
        self, request: appointments_pb2.BookAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        booked = await self._appointments.book(current_principal(), messages.booking_request(request))
        return messages.appointment_message(booked)

    async def GetAppointment(
        self, request: appointments_pb2.GetAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        found = await self._appointments.get_appointment(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        return messages.appointment_message(found)

    async def ListAppointments(
        self, request: appointments_pb2.ListAppointmentsRequest, context: Context
    ) -> appointments_pb2.ListAppointmentsResponse:
        page = await self._appointments.list_appointments(
            current_principal(), messages.appointment_query(request), size=request.page_size, token=request.page_token
        )
        return appointments_pb2.ListAppointmentsResponse(
            appointments=[messages.appointment_message(a) for a in page.items], next_page_token=page.next_page_token
        )

    async def UpdateAppointment(
        self, request: appointments_pb2.UpdateAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        details = messages.details_of(request)
        updated = await self._appointments.update_appointment(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), details
        )
        return messages.appointment_message(updated)

    async def RescheduleAppointment(
        self, request: appointments_pb2.RescheduleAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        moved = await self._appointments.reschedule(current_principal(), messages.rescheduling(request))
        return messages.appointment_message(moved)

    async def CheckInAppointment(
        self, request: appointments_pb2.CheckInAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        checked_in = await self._appointments.check_in(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        return messages.appointment_message(checked_in)

    async def StartAppointment(
        self, request: appointments_pb2.StartAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        started = messages.optional_instant(request.actual_start_time, "actualStartTime")
        in_progress = await self._appointments.start(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), started
        )
        return messages.appointment_message(in_progress)

    async def CompleteAppointment(
        self, request: appointments_pb2.CompleteAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        started = messages.optional_instant(request.actual_start_time, "actualStartTime")
        ended = messages.optional_instant(request.actual_end_time, "actualEndTime")
        completed = await self._appointments.complete(
            current_principal(),
            parse_uuid(request.appointment_id, "appointmentId"),
            started,
            ended,
            request.doctor_notes,
        )
        return messages.appointment_message(completed)

    async def MarkNoShow(
        self, request: appointments_pb2.MarkNoShowRequest, context: Context
    ) -> resources_pb2.Appointment:
        marked = await self._appointments.no_show(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        return messages.appointment_message(marked)

    async def CancelAppointment(
        self, request: appointments_pb2.CancelAppointmentRequest, context: Context
    ) -> resources_pb2.Appointment:
        cancelled = await self._appointments.cancel(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), request.reason
        )
        return messages.appointment_message(cancelled)

    async def ListStatusChanges(
        self, request: appointments_pb2.ListStatusChangesRequest, context: Context
    ) -> appointments_pb2.ListStatusChangesResponse:
        changes = await self._appointments.history(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId")
        )
        return appointments_pb2.ListStatusChangesResponse(
            status_changes=[messages.status_change_message(c) for c in changes]
        )


class QueueApi(appointments_pb2_grpc.QueueServiceServicer):
    def __init__(self, queues: Queues) -> None:
        self._queues = queues

    async def GetQueue(self, request: appointments_pb2.GetQueueRequest, context: Context) -> resources_pb2.Queue:
        queue = await self._queues.get_queue(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            messages.optional_date(request.date, "date"),
        )
        return messages.queue_message(queue)

    async def CallNext(self, request: appointments_pb2.CallNextRequest, context: Context) -> resources_pb2.Appointment:
        called = await self._queues.call_next(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            messages.optional_date(request.date, "date"),
            optional_uuid(request.request_id, "requestId"),
        )
        return messages.appointment_message(called)

    async def GetPosition(
        self, request: appointments_pb2.GetPositionRequest, context: Context
    ) -> resources_pb2.Position:
        position = await self._queues.position(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return messages.position_message(position)


class NotesApi(appointments_pb2_grpc.NotesServiceServicer):
    def __init__(self, notes: Notes) -> None:
        self._notes = notes

    async def UpdateNotes(
        self, request: appointments_pb2.UpdateNotesRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        change = messages.notes_change(request)
        written = await self._notes.update_notes(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), change
        )
        return messages.notes_message(written)

    async def GetNotes(
        self, request: appointments_pb2.GetNotesRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        found = await self._notes.get_notes(current_principal(), parse_uuid(request.appointment_id, "appointmentId"))
        return messages.notes_message(found)

    async def AddAddendum(
        self, request: appointments_pb2.AddAddendumRequest, context: Context
    ) -> resources_pb2.ConsultationNotes:
        amended = await self._notes.add_addendum(
            current_principal(), parse_uuid(request.appointment_id, "appointmentId"), request.text
        )
        return messages.notes_message(amended)

    async def ListPatientHistory(
        self, request: appointments_pb2.ListPatientHistoryRequest, context: Context
    ) -> appointments_pb2.ListPatientHistoryResponse:
        page = await self._notes.patient_history(
            current_principal(),
            parse_uuid(request.patient_id, "patientId"),
            size=request.page_size,
            token=request.page_token,
        )
        return messages.history_response(page.items, page.next_page_token)
