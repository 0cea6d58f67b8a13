"""The appointments use cases: sessions, overrides, availability, booking and the status machine."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import booking, events, lifecycle, store
from services.appointments.booking import ServiceType, Status
from services.appointments.schedule import (
    MAX_RANGE_DAYS,
    DateOverride,
    SessionPlan,
    date_range,
    dates,
    instant,
    overlaps,
    today_in,
    window,
)
from services.common import audit
from services.common.context import AccountStatus, Principal, Role
from services.common.db import transaction
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    PermissionDenied,
    ValidationErrors,
    invalid_field,
)
from services.common.pagination import decode_token, encode_token, page_size

Row = store.Row
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def not_yours() -> PermissionDenied:
    return PermissionDenied("this resource belongs to someone else", reason="NOT_OWNER")


async def managed_session(session: AsyncSession, viewer: Principal, session_id: uuid.UUID, *, lock: bool) -> Row:
    """The session, if the caller manages it: its doctor, or the admin of its clinic."""
    row = await store.session_row(session, session_id, lock=lock)
    if row is None:
        raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
    if viewer.role is Role.DOCTOR and row["doctor_id"] == viewer.user_id:
        return row
    if viewer.role is Role.CLINIC_ADMIN and row["clinic_id"] is not None:
        clinic = await store.clinic(session, row["clinic_id"])
        if clinic is not None and clinic["admin_id"] == viewer.user_id:
            return row
    raise PermissionDenied("only the session's doctor or its clinic's admin manage it", reason="NOT_OWNER")


def plan_of(row: Row) -> SessionPlan:
    return SessionPlan(
        day_of_week=row["day_of_week"],
        start=row["session_start_time"],
        end=row["session_end_time"],
        effective_from=row["effective_from"],
        effective_until=row["effective_until"],
        time_zone=row["time_zone"],
    )


def override_of(row: Row | None) -> DateOverride | None:
    if row is None:
        return None
    return DateOverride(row["cancelled"], row["start_time"], row["end_time"], row["max_queue_size"], row["reason"])


@dataclass(frozen=True)
class NewSession:
    """A session as requested, already parsed."""

    doctor_id: uuid.UUID | None
    clinic_id: uuid.UUID | None
    day_of_week: int
    start: time | None
    end: time | None
    service_type: ServiceType | None
    max_queue_size: int
    minutes: int
    effective_from: date | None
    effective_until: date | None


@dataclass(frozen=True)
class Booking:
    session_id: uuid.UUID
    day: date | None
    patient_id: uuid.UUID | None
    appointment_type: str
    chief_complaint: str
    request_id: uuid.UUID | None


def _check_new_session(new: NewSession) -> None:
    errors = ValidationErrors()
    if not 1 <= new.day_of_week <= 7:
        errors.add("dayOfWeek", "is required: MONDAY .. SUNDAY")
    if new.start is None:
        errors.add("sessionStartTime", "must be a time, HH:MM")
    if new.end is None:
        errors.add("sessionEndTime", "must be a time, HH:MM")
    if new.start and new.end and new.end <= new.start:
        errors.add("sessionEndTime", "must be after the start time")
    if new.service_type is None:
        errors.add("serviceType", "is required: VIRTUAL, IN_PERSON or BOTH")
    elif new.clinic_id is None and new.service_type is not ServiceType.VIRTUAL:
        errors.add("serviceType", "a session without a clinic must be VIRTUAL", "CLINIC_REQUIRED")
    elif new.clinic_id is not None and new.service_type is ServiceType.VIRTUAL:
        errors.add("serviceType", "a session at a clinic must be IN_PERSON or BOTH")
    if not 1 <= new.max_queue_size <= 100:
        errors.add("maxQueueSize", "must be between 1 and 100")
    if not 5 <= new.minutes <= 180:
        errors.add("estimatedConsultationMinutes", "must be between 5 and 180")
    if new.effective_from and new.effective_until and new.effective_until < new.effective_from:
        errors.add("effectiveUntil", "must not be before effectiveFrom")
    errors.raise_if_any()


AffiliationOwner = Callable[[uuid.UUID, uuid.UUID], Awaitable[str | None]]
"""Ask the profile service for an affiliation's status, when this service's copy may lag behind."""


class AppointmentService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        affiliation_owner: AffiliationOwner | None = None,
    ) -> None:
        self._sessions = sessions
        self._now = clock
        self._affiliation_owner = affiliation_owner

    async def account_status(self, user_id: uuid.UUID) -> AccountStatus | None:
        """The account status this service holds from auth events (None before the first one)."""
        async with self._sessions() as session:
            row = await store.account(session, user_id)
        return AccountStatus(row["status"]) if row else None

    # Sessions

    async def create_session(self, viewer: Principal, new: NewSession) -> Row:
        doctor_id = new.doctor_id or (viewer.user_id if viewer.role is Role.DOCTOR else None)
        if doctor_id is None:
            raise invalid_field("doctorId", "is required")
        if viewer.role is Role.DOCTOR and doctor_id != viewer.user_id:
            raise PermissionDenied("doctors manage only their own sessions", reason="NOT_OWNER")
        if viewer.role is Role.CLINIC_ADMIN and new.clinic_id is None:
            raise invalid_field("clinicId", "is required for a clinic admin")
        _check_new_session(new)
        assert new.start is not None
        assert new.end is not None
        assert new.service_type is not None
        async with transaction(self._sessions) as session:
            doctor = await store.doctor(session, doctor_id)
            if doctor is None:
                raise NotFound("no doctor has this id", reason="DOCTOR_NOT_FOUND")
            if doctor["account_status"] != "ACTIVE":
                raise FailedPrecondition("the doctor is not approved and active", reason="DOCTOR_NOT_ACTIVE")
            zone = doctor["time_zone"]
            if new.clinic_id is not None:
                zone = await self._clinic_zone(session, viewer, new.clinic_id, doctor_id)
            if not zone:
                raise FailedPrecondition("set the doctor's time zone first", reason="TIME_ZONE_MISSING")
            effective_from = new.effective_from or today_in(zone, self._now())
            plan = SessionPlan(new.day_of_week, new.start, new.end, effective_from, new.effective_until, zone)
            await store.lock_key(session, f"doctor-sessions:{doctor_id}")
            for other in await store.doctor_sessions(session, doctor_id):
                if overlaps(plan, plan_of(other), today_in(zone, self._now())):
                    raise FailedPrecondition(
                        "the session overlaps another session of the doctor",
                        reason="SESSION_OVERLAP",
                        metadata={"sessionId": str(other["id"])},
                    )
            session_id = uuid.uuid4()
            await store.insert_session(
                session,
                {
                    "id": session_id,
                    "doctor_id": doctor_id,
                    "clinic_id": new.clinic_id,
                    "day_of_week": new.day_of_week,
                    "session_start_time": new.start,
                    "session_end_time": new.end,
                    "service_type": new.service_type.value,
                    "max_queue_size": new.max_queue_size,
                    "estimated_consultation_minutes": new.minutes,
                    "effective_from": effective_from,
                    "effective_until": new.effective_until,
                    "active": True,
                    "time_zone": zone,
                    "created_by": viewer.user_id,
                    "version": 1,
                },
            )
            row = await store.session_row(session, session_id)
            assert row is not None
            await events.session_changed(session, row, "created")
        return row

    async def _clinic_zone(
        self, session: AsyncSession, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID
    ) -> str:
        """A session at a clinic: the caller may place it there and the doctor works there; its zone."""
        clinic = await store.clinic(session, clinic_id)
        if clinic is None:
            raise NotFound("no clinic has this id", reason="CLINIC_NOT_FOUND")
        if viewer.role is Role.CLINIC_ADMIN and clinic["admin_id"] != viewer.user_id:
            raise not_yours()
        if not clinic["active"]:
            raise FailedPrecondition("the clinic is not active", reason="CLINIC_INACTIVE")
        if await store.affiliation_status(session, clinic_id, doctor_id) != "CONFIRMED" and (
            self._affiliation_owner is None or await self._affiliation_owner(clinic_id, doctor_id) != "CONFIRMED"
        ):
            raise FailedPrecondition("the doctor is not a confirmed doctor of this clinic", reason="NOT_AFFILIATED")
        return str(clinic["time_zone"])

    async def get_session(self, session_id: uuid.UUID) -> Row:
        async with self._sessions() as session:
            row = await store.session_row(session, session_id)
        if row is None:
            raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
        return row

    async def list_sessions(
        self, *, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None, active_only: bool, size: int, token: str
    ) -> tuple[list[Row], str]:
        limit = page_size(size)
        position = decode_token(token, ("createTime", "id"))
        after = (datetime.fromisoformat(position["createTime"]), uuid.UUID(position["id"])) if position else None
        async with self._sessions() as session:
            rows = await store.list_sessions(
                session, doctor_id=doctor_id, clinic_id=clinic_id, active_only=active_only, after=after, limit=limit + 1
            )
        page = rows[:limit]
        next_token = (
            encode_token({"createTime": page[-1]["created_at"].isoformat(), "id": str(page[-1]["id"])})
            if len(rows) > limit
            else ""
        )
        return page, next_token

    async def _managed_session(self, session: AsyncSession, viewer: Principal, session_id: uuid.UUID) -> Row:
        return await managed_session(session, viewer, session_id, lock=True)

    async def deactivate_session(self, viewer: Principal, session_id: uuid.UUID, *, force: bool, reason: str) -> Row:
        async with transaction(self._sessions) as session:
            row = await self._managed_session(session, viewer, session_id)
            booked = await store.future_active(
                session, session_id=session_id, first=today_in(row["time_zone"], self._now())
            )
            if booked and not force:
                raise FailedPrecondition(
                    f"{len(booked)} future appointments are booked; pass force=true to cancel them",
                    reason="SESSION_HAS_BOOKINGS",
                    metadata={"appointments": str(len(booked))},
                )
            for appointment in booked:
                await self._cancel(session, appointment, viewer, reason or "the session was discontinued")
            await store.deactivate_session(session, session_id)
            after = await store.session_row(session, session_id)
            assert after is not None
            await events.session_changed(session, after, "deactivated")
        return after

    async def update_session(self, viewer: Principal, session_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        """Change a session; what would move booked patients is refused while they exist."""
        async with transaction(self._sessions) as session:
            row = await self._managed_session(session, viewer, session_id)
            merged = {**row, **changes}
            new = NewSession(
                doctor_id=row["doctor_id"],
                clinic_id=merged["clinic_id"],
                day_of_week=merged["day_of_week"],
                start=merged["session_start_time"],
                end=merged["session_end_time"],
                service_type=ServiceType(merged["service_type"]),
                max_queue_size=merged["max_queue_size"],
                minutes=merged["estimated_consultation_minutes"],
                effective_from=merged["effective_from"],
                effective_until=merged["effective_until"],
            )
            _check_new_session(new)
            today = today_in(row["time_zone"], self._now())
            booked = await store.future_active(session, session_id=session_id, first=today)
            moving = {"day_of_week", "clinic_id", "service_type", "session_start_time"}
            if booked and any(changes.get(k, row[k]) != row[k] for k in moving):
                raise FailedPrecondition(
                    "future appointments are booked: end this session with effectiveUntil and create another",
                    reason="SESSION_HAS_BOOKINGS",
                )
            if new.clinic_id != row["clinic_id"] and new.clinic_id is not None:
                await self._clinic_zone(session, viewer, new.clinic_id, row["doctor_id"])
            if booked and max(a["queue_number"] for a in booked) > new.max_queue_size:
                raise FailedPrecondition(
                    "capacity cannot drop below the highest queue number booked", reason="CAPACITY_BELOW_BOOKINGS"
                )
            if new.effective_until is not None and any(a["appointment_date"] > new.effective_until for a in booked):
                raise FailedPrecondition("appointments are booked after that date", reason="SESSION_HAS_BOOKINGS")
            assert new.start is not None
            assert new.end is not None
            plan = SessionPlan(
                new.day_of_week, new.start, new.end, new.effective_from or today, new.effective_until, row["time_zone"]
            )
            for other in await store.doctor_sessions(session, row["doctor_id"]):
                if other["id"] != session_id and overlaps(plan, plan_of(other), today):
                    raise FailedPrecondition(
                        "the session overlaps another session of the doctor",
                        reason="SESSION_OVERLAP",
                        metadata={"sessionId": str(other["id"])},
                    )
            await store.update_session(session, session_id, changes)
            after = await store.session_row(session, session_id)
            assert after is not None
            if "estimated_consultation_minutes" in changes or "session_end_time" in changes:
                await self._recompute_estimates(session, after, booked)
            await events.session_changed(session, after, "updated")
        return after

    async def _recompute_estimates(self, session: AsyncSession, row: Row, booked: list[Row]) -> None:
        for appointment in booked:
            override = override_of(await store.override(session, row["id"], appointment["appointment_date"]))
            start, _ = window(plan_of(row), appointment["appointment_date"], override)
            estimated = booking.estimated_start(
                start, appointment["queue_number"], row["estimated_consultation_minutes"]
            )
            await store.update_appointment(session, appointment["id"], {"estimated_start_time": estimated})

    async def calendar(self, doctor_id: uuid.UUID, first: date | None, days: int) -> list[dict[str, Any]]:
        """Per day: the doctor's occurrences, and why a day has no place (NO_SESSION, HOLIDAY, FULL)."""
        if days < 0 or days > MAX_RANGE_DAYS:
            raise invalid_field("days", f"must be between 1 and {MAX_RANGE_DAYS}")
        start = first or self._now().date()
        last = start + timedelta(days=(days or 30) - 1)
        occurrences = await self.availability(
            doctor_id=doctor_id, clinic_id=None, specialization="", service_type=None, first=start, last=last
        )
        result = []
        day = start
        while day <= last:
            todays = [o for o in occurrences if o["date"] == day]
            open_places = [o for o in todays if not o["cancelled"] and o["available"] > 0 and o["end"] > self._now()]
            if open_places:
                reason = ""
            elif not todays:
                reason = "NO_SESSION"
            elif all(o["cancelled"] for o in todays):
                reason = "HOLIDAY"
            else:
                reason = "FULL"
            result.append({"date": day, "available": bool(open_places), "reason": reason, "occurrences": todays})
            day += timedelta(days=1)
        return result

    # Overrides

    async def save_override(self, viewer: Principal, session_id: uuid.UUID, values: dict[str, Any]) -> Row:
        day: date = values["date"]
        async with transaction(self._sessions) as session:
            row = await self._managed_session(session, viewer, session_id)
            plan = plan_of(row)
            if (
                day.isoweekday() != plan.day_of_week
                or day < plan.effective_from
                or (plan.effective_until is not None and day > plan.effective_until)
            ):
                raise invalid_field("date", "is not a date of this session", "NOT_A_SESSION_DATE")
            start, end = values.get("start_time"), values.get("end_time")
            if (start or plan.start) >= (end or plan.end):
                raise invalid_field("endTime", "must be after the start time")
            await store.lock_occurrence(session, session_id, day)
            capacity = values.get("max_queue_size")
            if capacity and capacity < await store.highest_held(session, session_id, day):
                raise FailedPrecondition(
                    "capacity cannot drop below the highest queue number booked", reason="CAPACITY_BELOW_BOOKINGS"
                )
            if values.get("cancelled"):
                active = await store.future_active(session, session_id=session_id, first=day, day=day)
                if any(a["status"] == Status.IN_PROGRESS for a in active):
                    raise FailedPrecondition(
                        "a consultation is in progress that day", reason="CONSULTATION_IN_PROGRESS"
                    )
                for appointment in active:
                    await self._cancel(
                        session, appointment, viewer, values.get("reason") or "the session is cancelled that day"
                    )
            await store.save_override(session, {"session_id": session_id, **values})
            saved = await store.override(session, session_id, day)
        assert saved is not None
        return saved

    async def list_overrides(self, session_id: uuid.UUID) -> list[Row]:
        async with self._sessions() as session:
            if await store.session_row(session, session_id) is None:
                raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
            return await store.session_overrides(session, [session_id], date.min, date.max)

    async def delete_override(self, viewer: Principal, session_id: uuid.UUID, day: date) -> None:
        async with transaction(self._sessions) as session:
            await self._managed_session(session, viewer, session_id)
            if not await store.delete_override(session, session_id, day):
                raise NotFound("no override for that date", reason="OVERRIDE_NOT_FOUND")

    # Availability

    async def availability(
        self,
        *,
        doctor_id: uuid.UUID | None,
        clinic_id: uuid.UUID | None,
        specialization: str,
        service_type: ServiceType | None,
        first: date | None,
        last: date | None,
    ) -> list[dict[str, Any]]:
        start, end = date_range(first, last, self._now().date())
        if end < start:
            raise invalid_field("to", "must not be before from")
        if (end - start).days > MAX_RANGE_DAYS:
            raise invalid_field("to", f"the range may span at most {MAX_RANGE_DAYS} days")
        types: tuple[str, ...] | None = None
        if service_type is ServiceType.BOTH:
            types = (ServiceType.BOTH.value,)
        elif service_type is not None:
            types = (service_type.value, ServiceType.BOTH.value)
        async with self._sessions() as session:
            rows = await store.bookable_sessions(
                session, doctor_id=doctor_id, clinic_id=clinic_id, specialization=specialization, service_types=types
            )
            ids = [r["id"] for r in rows]
            found_overrides = {
                (o["session_id"], o["date"]): o for o in await store.session_overrides(session, ids, start, end)
            }
            held = await store.held_numbers(session, ids, start, end)
        now = self._now()
        occurrences = []
        for row in rows:
            plan = plan_of(row)
            for day in dates(plan, start, end):
                item = self._occurrence(
                    row, day, override_of(found_overrides.get((row["id"], day))), held.get((row["id"], day), [])
                )
                if item["end"] > now or item["cancelled"]:
                    occurrences.append(item)
        return sorted(occurrences, key=lambda o: (o["start"], str(o["session"]["id"])))

    def _occurrence(self, row: Row, day: date, override: DateOverride | None, held: list[int]) -> dict[str, Any]:
        start, end = window(plan_of(row), day, override)
        capacity = booking.capacity_of(row["max_queue_size"], override)
        number = booking.lowest_free_number(held, capacity)
        estimated = booking.estimated_start(start, number, row["estimated_consultation_minutes"]) if number else None
        return {
            "session": row,
            "date": day,
            "start": start,
            "end": end,
            "capacity": capacity,
            "booked": len(held),
            "available": max(0, capacity - len(held)),
            "estimated_start": max(estimated, self._now()) if estimated else None,
            "cancelled": bool(override and override.cancelled),
            "reason": override.reason if override else "",
        }

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
        async with transaction(self._sessions) as session:
            row = await store.session_row(session, request.session_id)
            if row is None:
                raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
            if viewer.role is Role.CLINIC_ADMIN:
                clinic = await store.clinic(session, row["clinic_id"]) if row["clinic_id"] else None
                if clinic is None or clinic["admin_id"] != viewer.user_id:
                    raise PermissionDenied("clinic admins book only at their own clinic's sessions", reason="NOT_OWNER")
            appointment_id = await self._book_in(
                session,
                viewer,
                row,
                day=request.day,
                patient_id=patient_id,
                appointment_type=request.appointment_type,
                chief_complaint=request.chief_complaint,
                request_id=request.request_id,
            )
            booked = await store.appointment(session, appointment_id)
            assert booked is not None
        return booked

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
    ) -> uuid.UUID:
        """Every booking rule for one session, then the booking function; returns the appointment id."""
        if not row["active"]:
            raise FailedPrecondition("the session is not active", reason="SESSION_INACTIVE")
        if row["doctor_status"] != "ACTIVE":
            raise FailedPrecondition("the doctor is not available for booking", reason="DOCTOR_NOT_ACTIVE")
        if not booking.type_fits(ServiceType(row["service_type"]), appointment_type):
            raise invalid_field("appointmentType", f"the session offers {row['service_type']} only", "TYPE_NOT_OFFERED")
        day = day or await self._next_bookable(session, row)
        override = override_of(await store.override(session, row["id"], day))
        booking.check_bookable(plan_of(row), day, override, self._now())
        start, _ = window(plan_of(row), day, override)
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
            capacity=booking.capacity_of(row["max_queue_size"], override),
            occurrence_start=start,
            minutes=row["estimated_consultation_minutes"],
            fee=row["fee"],
            currency=row["currency"],
            booked_by=viewer.user_id,
            request=request_id,
            actor_role=viewer.role.value,
            rescheduled_from=rescheduled_from,
        )

    async def _call_book(self, session: AsyncSession, **arguments: Any) -> uuid.UUID:
        try:
            async with session.begin_nested():
                appointment_id, created = await store.book(session, **arguments)
        except IntegrityError as error:
            # The indexes caught a race the lock could not (other occurrences, or one request id twice).
            if "appointments_request_id" in str(error.orig):
                again = await session.execute(
                    sa.select(store.appointments.c.id).where(
                        store.appointments.c.booked_by == arguments["booked_by"],
                        store.appointments.c.request_id == arguments["request"],
                    )
                )
                return uuid.UUID(str(again.scalar_one()))
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
        if created:
            row = await store.appointment(session, appointment_id)
            assert row is not None
            await events.appointment_changed(session, row, None)
        return appointment_id

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
        outcome = audit.Outcome.ALLOWED if allowed else audit.Outcome.DENIED
        await audit.record_alone(self._sessions, "READ", "appointment", appointment_id, outcome)
        if not allowed:
            raise not_yours()
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
                raise not_yours()
            conditions.append(a.c.patient_id == viewer.user_id)
        elif viewer.role is Role.DOCTOR:
            if doctor_id not in (None, viewer.user_id):
                raise not_yours()
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
        limit = page_size(size)
        position = decode_token(token, ("date", "queueNumber", "id"))
        after = (
            (date.fromisoformat(position["date"]), int(position["queueNumber"]), uuid.UUID(position["id"]))
            if position
            else None
        )
        async with self._sessions() as session:
            rows = await store.list_appointments(session, conditions=conditions, after=after, limit=limit + 1)
            await audit.record(session, "LIST", "appointment", f"{len(rows[:limit])} rows", audit.Outcome.ALLOWED)
            await session.commit()
        page = rows[:limit]
        next_token = (
            encode_token(
                {
                    "date": page[-1]["appointment_date"].isoformat(),
                    "queueNumber": page[-1]["queue_number"],
                    "id": str(page[-1]["id"]),
                }
            )
            if len(rows) > limit
            else ""
        )
        return page, next_token

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
                raise not_yours()
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

    async def _cancel(self, session: AsyncSession, row: Row, viewer: Principal, reason: str) -> None:
        """A cancellation inside a larger transaction: history and event as any other."""
        await lifecycle.move(
            session, row, Status.CANCELLED, actor_id=viewer.user_id, actor_role=viewer.role.value, reason=reason
        )

    async def update_appointment(self, viewer: Principal, appointment_id: uuid.UUID, changes: dict[str, Any]) -> Row:
        """Its doctor records actual times, notes and the complaint; a cancelled appointment is closed."""
        async with transaction(self._sessions) as session:
            row = await store.appointment(session, appointment_id, lock=True)
            if row is None or not self._its_doctor(viewer, row):
                raise not_yours()
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
                raise not_yours()
            assert old is not None
            if old["status"] != Status.BOOKED:
                raise FailedPrecondition("only a booked appointment can be rescheduled", reason="INVALID_TRANSITION")
            if instant(old["appointment_date"], old["session_start_time"], old["time_zone"]) <= self._now():
                raise FailedPrecondition("the appointment has started", reason="ALREADY_STARTED")
            target = await store.session_row(session, session_id or old["session_id"])
            if target is None:
                raise NotFound("no session has this id", reason="SESSION_NOT_FOUND")
            if target["doctor_id"] != old["doctor_id"]:
                raise invalid_field("sessionId", "must be a session of the same doctor", "OTHER_DOCTOR")
            await self._cancel(session, old, viewer, "rescheduled")
            new_id = await self._book_in(
                session,
                viewer,
                target,
                day=day,
                patient_id=old["patient_id"],
                appointment_type=old["appointment_type"],
                chief_complaint=old["chief_complaint"],
                request_id=request_id,
                rescheduled_from=appointment_id,
            )
            booked = await store.appointment(session, new_id)
            assert booked is not None
        return booked

    async def history(self, viewer: Principal, appointment_id: uuid.UUID) -> list[Row]:
        async with self._sessions() as session:
            row = await store.appointment(session, appointment_id)
            if row is None or not self._may_see(viewer, row):
                raise not_yours()
            return await store.status_changes(session, appointment_id)


def parse_time(value: str, field: str) -> time:
    """A wall-clock time "HH:MM", or INVALID_ARGUMENT naming the field."""
    try:
        if len(value) == 5:
            return time.fromisoformat(value)
    except ValueError:
        pass
    raise invalid_field(field, "must be a time, HH:MM")


def parse_day(value: str, field: str) -> date:
    """A calendar date "YYYY-MM-DD", or INVALID_ARGUMENT naming the field."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise invalid_field(field, "must be a date, YYYY-MM-DD")


def parse_instant(value: str, field: str) -> datetime:
    """An RFC 3339 time with an offset, as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_field(field, "must be an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise invalid_field(field, "must have a time zone offset")
    return parsed.astimezone(UTC)
