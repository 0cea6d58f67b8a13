"""Booking use cases: booking that never overbooks, the status machine, rescheduling, history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import booking, events, lifecycle, store
from services.appointments.booking import ServiceType, Status
from services.appointments.schedule import (
    MAX_RANGE_DAYS,
    Clock,
    dates,
    instant,
    today_in,
    utc_now,
    window,
)
from services.appointments.store import override_of, plan_of
from services.common.context import Principal, Role
from services.common.db import Row, transaction
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    NotYours,
    PermissionDenied,
    invalid_field,
)
from services.common.pagination import Keyset, PageTokens

APPOINTMENTS = Keyset("appointments.appointments", (date, int, uuid.UUID))


class RequestIdRace(Exception):
    """Two bookings with one request id ran at once; the loser returns the winner's appointment."""


@dataclass(frozen=True)
class Booking:
    session_id: uuid.UUID
    day: date | None
    patient_id: uuid.UUID | None
    appointment_type: str
    chief_complaint: str
    request_id: uuid.UUID | None


class Bookings:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, pages: PageTokens, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self._pages = pages
        self._now = clock

    # Booking

    async def book(self, viewer: Principal, request: Booking) -> Row:
        if viewer.role is Role.PATIENT:
            if request.patient_id not in (None, viewer.user_id):
                raise PermissionDenied("patients book for themselves only", reason="NOT_OWNER")
            patient_id = viewer.user_id
        else:
            if request.patient_id is None:
                raise invalid_field("patientId", "is required when a clinic admin books")
            patient_id = request.patient_id
        try:
            async with transaction(self._sessions) as session:
                row, override = (
                    await store.session_on(session, request.session_id, request.day)
                    if request.day
                    else (await store.session_row(session, request.session_id), None)
                )
                if row is None:
                    raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
                if viewer.role is Role.CLINIC_ADMIN:
                    clinic = await store.clinic(session, row["clinic_id"]) if row["clinic_id"] else None
                    if clinic is None or clinic["admin_id"] != viewer.user_id:
                        raise PermissionDenied(
                            "clinic admins book only at their own clinic's sessions", reason="NOT_OWNER"
                        )
                return await self._book_in(
                    session,
                    viewer,
                    row,
                    override=override,
                    day=request.day,
                    patient_id=patient_id,
                    appointment_type=request.appointment_type,
                    chief_complaint=request.chief_complaint,
                    request_id=request.request_id,
                )
        except RequestIdRace:
            return await self._first_booking(viewer, request.request_id)

    async def _first_booking(self, viewer: Principal, request_id: uuid.UUID | None) -> Row:
        """What a concurrent booking with the same request id booked (it committed before this one failed)."""
        assert request_id is not None
        async with self._sessions() as session:
            found = await store.booked_with_request(session, viewer.user_id, request_id)
        assert found is not None
        return found

    async def _book_in(
        self,
        session: AsyncSession,
        viewer: Principal,
        row: Row,
        *,
        day: date | None,
        patient_id: uuid.UUID,
        appointment_type: str,
        chief_complaint: str,
        request_id: uuid.UUID | None,
        rescheduled_from: uuid.UUID | None = None,
        override: Row | None = None,
    ) -> Row:
        """Every booking rule for one session, then the booking function; returns the appointment.

        With a `day`, `override` is that date's override row as read with the session (or None).
        """
        if not row["active"]:
            raise FailedPrecondition("the session is not active", reason="SESSION_INACTIVE")
        if row["doctor_status"] != "ACTIVE":
            raise FailedPrecondition("the doctor is not available for booking", reason="DOCTOR_NOT_ACTIVE")
        if not booking.type_fits(ServiceType(row["service_type"]), appointment_type):
            raise invalid_field("appointmentType", f"the session offers {row['service_type']} only", "TYPE_NOT_OFFERED")
        if day is None:
            day = await self._next_bookable(session, row)
            override = await store.override(session, row["id"], day)
        exception = override_of(override)
        booking.check_bookable(plan_of(row), day, exception, self._now())
        start, _ = window(plan_of(row), day, exception)
        return await self._call_book(
            session,
            id=uuid.uuid4(),
            session_id=row["id"],
            date=day,
            patient=patient_id,
            doctor=row["doctor_id"],
            clinic=row["clinic_id"],
            type=appointment_type,
            complaint=chief_complaint,
            capacity=booking.capacity_of(row["max_queue_size"], exception),
            occurrence_start=start,
            minutes=row["estimated_consultation_minutes"],
            fee=row["fee"],
            currency=row["currency"],
            booked_by=viewer.user_id,
            request=request_id,
            actor_role=viewer.role.value,
            rescheduled_from=rescheduled_from,
        )

    async def _call_book(self, session: AsyncSession, **arguments: Any) -> Row:
        """The booking function, its event, and the appointment; a failed booking aborts the transaction."""
        try:
            appointment_id, created = await store.book(session, **arguments)
        except IntegrityError as error:
            # The indexes caught a race the lock could not (other occurrences, or one request id twice).
            if "appointments_request_id" in str(error.orig):
                raise RequestIdRace from None
            raise AlreadyExists(
                "the patient already has an appointment with this doctor that day", reason="ALREADY_BOOKED"
            ) from None
        except DBAPIError as error:
            reason = str((getattr(error.orig, "diag", None) and error.orig.diag.message_primary) or error.orig)  # type: ignore[union-attr]
            if "SESSION_FULL" in reason:
                raise FailedPrecondition(
                    "the session is full that day",
                    reason="SESSION_FULL",
                    metadata={"date": arguments["date"].isoformat()},
                ) from None
            if "ALREADY_BOOKED" in reason:
                raise AlreadyExists(
                    "the patient already has an appointment with this doctor that day", reason="ALREADY_BOOKED"
                ) from None
            raise
        row = await store.appointment(session, appointment_id)
        assert row is not None
        if created:
            await events.appointment_changed(session, row, None)
        return row

    async def _next_bookable(self, session: AsyncSession, row: Row) -> date:
        """Without a date: the next occurrence from today on that is not cancelled, over, or full."""
        plan = plan_of(row)
        today = today_in(plan.time_zone, self._now())
        last = today + timedelta(days=MAX_RANGE_DAYS)
        found_overrides = {o["date"]: o for o in await store.session_overrides(session, [row["id"]], today, last)}
        held = await store.held_numbers(session, [row["id"]], today, last)
        for day in dates(plan, today, last):
            override = override_of(found_overrides.get(day))
            if override and override.cancelled:
                continue
            if window(plan, day, override)[1] <= self._now():
                continue
            if len(held.get((row["id"], day), [])) < booking.capacity_of(row["max_queue_size"], override):
                return day
        raise FailedPrecondition("the session has no free place in the next 60 days", reason="SESSION_FULL")

    # Appointments

    def _may_see(self, viewer: Principal, row: Row) -> bool:
        if viewer.role is Role.PATIENT:
            return bool(row["patient_id"] == viewer.user_id)
        if viewer.role is Role.DOCTOR:
            return bool(row["doctor_id"] == viewer.user_id)
        return viewer.role is Role.CLINIC_ADMIN and row["clinic_admin_id"] == viewer.user_id

    async def get_appointment(self, viewer: Principal, appointment_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            row = await store.appointment(session, appointment_id)
        allowed = row is not None and self._may_see(viewer, row)
        if not allowed:
            raise NotYours()
        assert row is not None
        return row

    async def list_appointments(
        self,
        viewer: Principal,
        *,
        patient_id: uuid.UUID | None,
        doctor_id: uuid.UUID | None,
        clinic_id: uuid.UUID | None,
        day: date | None,
        status: Status | None,
        upcoming: bool,
        size: int,
        token: str,
    ) -> tuple[list[Row], str]:
        a = store.appointments
        conditions: list[Any] = []
        if viewer.role is Role.PATIENT:
            if patient_id not in (None, viewer.user_id):
                raise NotYours()
            conditions.append(a.c.patient_id == viewer.user_id)
        elif viewer.role is Role.DOCTOR:
            if doctor_id not in (None, viewer.user_id):
                raise NotYours()
            conditions.append(a.c.doctor_id == viewer.user_id)
        else:
            conditions.append(store.clinics.c.admin_id == viewer.user_id)
        for column, value in ((a.c.patient_id, patient_id), (a.c.doctor_id, doctor_id), (a.c.clinic_id, clinic_id)):
            if value is not None:
                conditions.append(column == value)
        if day is not None:
            conditions.append(a.c.appointment_date == day)
        if status is not None:
            conditions.append(a.c.status == status.value)
        if upcoming:
            conditions.append(a.c.appointment_date >= self._now().date() - timedelta(days=1))
        filters = {
            # What the caller may see is part of the query: a token never moves to another caller's list.
            "viewer": viewer.user_id,
            "patientId": patient_id,
            "doctorId": doctor_id,
            "clinicId": clinic_id,
            "date": day,
            "status": status,
            "upcoming": upcoming,
        }
        page = self._pages.page(APPOINTMENTS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.list_appointments(session, conditions=conditions, after=page.after, limit=page.fetch)
        listed = page.split(rows, lambda r: (r["appointment_date"], r["queue_number"], r["id"]))
        return listed.items, listed.next_page_token

    async def _transition(
        self,
        viewer: Principal,
        appointment_id: uuid.UUID,
        target: Status,
        allowed: Callable[[Principal, Row], bool],
        *,
        reason: str = "",
        values: Callable[[Row], dict[str, Any]] | None = None,
        check: Callable[[Row], None] | None = None,
    ) -> Row:
        async with transaction(self._sessions) as session:
            row = await store.appointment(session, appointment_id, lock=True)
            if row is None or not allowed(viewer, row):
                raise NotYours()
            booking.check_transition(Status(row["status"]), target)
            if check is not None:
                check(row)
            return await lifecycle.move(
                session, row, target, actor_id=viewer.user_id, actor_role=viewer.role.value, reason=reason,
                values=values(row) if values else None,
            )  # fmt: skip

    def _its_doctor(self, viewer: Principal, row: Row) -> bool:
        return viewer.role is Role.DOCTOR and row["doctor_id"] == viewer.user_id

    def _its_clinic_admin(self, viewer: Principal, row: Row) -> bool:
        return viewer.role is Role.CLINIC_ADMIN and row["clinic_admin_id"] == viewer.user_id

    async def check_in(self, viewer: Principal, appointment_id: uuid.UUID) -> Row:
        def on_the_day(row: Row) -> None:
            if viewer.role is Role.PATIENT and today_in(row["time_zone"], self._now()) != row["appointment_date"]:
                raise FailedPrecondition("patients check in on the day of the appointment", reason="NOT_THE_DAY")

        return await self._transition(viewer, appointment_id, Status.CHECKED_IN, self._may_see, check=on_the_day)

    async def start(self, viewer: Principal, appointment_id: uuid.UUID, started: datetime | None) -> Row:
        return await self._transition(
            viewer, appointment_id, Status.IN_PROGRESS, self._its_doctor,
            values=lambda _: {"actual_start_time": started or self._now()},
        )  # fmt: skip

    async def complete(
        self, viewer: Principal, appointment_id: uuid.UUID, started: datetime | None, ended: datetime | None, notes: str
    ) -> Row:
        def times(row: Row) -> dict[str, Any]:
            start = started or row["actual_start_time"] or self._now()
            end = ended or self._now()
            if end < start:
                raise invalid_field("actualEndTime", "must not be before the actual start time")
            values: dict[str, Any] = {"actual_start_time": start, "actual_end_time": end}
            if notes:
                values["doctor_notes"] = notes
            return values

        return await self._transition(viewer, appointment_id, Status.COMPLETED, self._its_doctor, values=times)

    async def no_show(self, viewer: Principal, appointment_id: uuid.UUID) -> Row:
        def started(row: Row) -> None:
            day_start = instant(row["appointment_date"], row["session_start_time"], row["time_zone"])
            if self._now() < day_start:
                raise FailedPrecondition(
                    "a no-show is recorded only after the session started", reason="NOT_STARTED_YET"
                )

        def allowed(viewer: Principal, row: Row) -> bool:
            return self._its_doctor(viewer, row) or self._its_clinic_admin(viewer, row)

        return await self._transition(viewer, appointment_id, Status.NO_SHOW, allowed, check=started)

    async def cancel(self, viewer: Principal, appointment_id: uuid.UUID, reason: str) -> Row:
        def recorded(_: Row) -> dict[str, Any]:
            return {"cancellation_reason": reason, "cancelled_by_role": viewer.role.value}

        return await self._transition(
            viewer, appointment_id, Status.CANCELLED, self._may_see, reason=reason, values=recorded
        )

    async def update_appointment(self, viewer: Principal, appointment_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        """Its doctor records actual times, notes and the complaint; a cancelled appointment is closed."""
        async with transaction(self._sessions) as session:
            row = await store.appointment(session, appointment_id, lock=True)
            if row is None or not self._its_doctor(viewer, row):
                raise NotYours()
            if row["status"] == Status.CANCELLED:
                raise FailedPrecondition("the appointment is cancelled", reason="INVALID_TRANSITION")
            start = changes.get("actual_start_time", row["actual_start_time"])
            end = changes.get("actual_end_time", row["actual_end_time"])
            if start is not None and end is not None and end < start:
                raise invalid_field("actualEndTime", "must not be before the actual start time")
            if end is not None and start is None:
                raise invalid_field("actualStartTime", "is required with an actual end time")
            await store.update_appointment(session, appointment_id, changes)
            after = await store.appointment(session, appointment_id)
            assert after is not None
            await events.appointment_changed(session, after, Status(row["status"]), what="updated")
        return after

    async def reschedule(
        self,
        viewer: Principal,
        appointment_id: uuid.UUID,
        session_id: uuid.UUID | None,
        day: date,
        request_id: uuid.UUID | None,
    ) -> Row:
        """Book the new occurrence under the same rules and cancel the old one, in one transaction."""
        try:
            return await self._reschedule(viewer, appointment_id, session_id, day, request_id)
        except RequestIdRace:
            return await self._first_booking(viewer, request_id)

    async def _reschedule(
        self,
        viewer: Principal,
        appointment_id: uuid.UUID,
        session_id: uuid.UUID | None,
        day: date,
        request_id: uuid.UUID | None,
    ) -> Row:
        async with transaction(self._sessions) as session:
            if request_id is not None:
                earlier = await store.booked_with_request(session, viewer.user_id, request_id)
                if earlier is not None:
                    return earlier
            old = await store.appointment(session, appointment_id, lock=True)
            allowed = old is not None and (
                (viewer.role is Role.PATIENT and old["patient_id"] == viewer.user_id)
                or self._its_clinic_admin(viewer, old)
            )
            if not allowed:
                raise NotYours()
            assert old is not None
            if old["status"] != Status.BOOKED:
                raise FailedPrecondition("only a booked appointment can be rescheduled", reason="INVALID_TRANSITION")
            if instant(old["appointment_date"], old["session_start_time"], old["time_zone"]) <= self._now():
                raise FailedPrecondition("the appointment has started", reason="ALREADY_STARTED")
            target, override = await store.session_on(session, session_id or old["session_id"], day)
            if target is None:
                raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
            if target["doctor_id"] != old["doctor_id"]:
                raise invalid_field("sessionId", "must be a session of the same doctor", "OTHER_DOCTOR")
            await lifecycle.cancel_by(session, old, viewer, "rescheduled")
            return await self._book_in(
                session,
                viewer,
                target,
                day=day,
                patient_id=old["patient_id"],
                appointment_type=old["appointment_type"],
                chief_complaint=old["chief_complaint"],
                request_id=request_id,
                rescheduled_from=appointment_id,
                override=override,
            )

    async def history(self, viewer: Principal, appointment_id: uuid.UUID) -> list[Row]:
        async with self._sessions() as session:
            row = await store.appointment(session, appointment_id)
            if row is None or not self._may_see(viewer, row):
                raise NotYours()
            return await store.status_changes(session, appointment_id)
