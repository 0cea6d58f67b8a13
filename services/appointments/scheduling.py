"""Scheduling use cases: sessions, their per-date overrides, availability and the doctor's calendar."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import booking, events, lifecycle, store
from services.appointments.booking import ServiceType, Status
from services.appointments.schedule import (
    MAX_RANGE_DAYS,
    Clock,
    DateOverride,
    SessionPlan,
    date_range,
    dates,
    overlaps,
    today_in,
    utc_now,
    window,
)
from services.appointments.store import override_of, plan_of
from services.common.context import Principal, Role
from services.common.db import Row, transaction
from services.common.errors import (
    FailedPrecondition,
    NotFound,
    NotYours,
    PermissionDenied,
    ValidationErrors,
    invalid_field,
)
from services.common.pagination import Keyset, PageTokens

AffiliationOwner = Callable[[uuid.UUID, uuid.UUID], Awaitable[str | None]]
"""Ask the profile service for an affiliation's status, when this service's copy may lag behind."""


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


SESSIONS = Keyset("appointments.sessions", (datetime, uuid.UUID))


class Scheduling:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
        affiliation_owner: AffiliationOwner | None = None,
    ) -> None:
        self._sessions = sessions
        self._pages = pages
        self._now = clock
        self._affiliation_owner = affiliation_owner

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
            raise NotYours()
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
        filters = {"doctorId": doctor_id, "clinicId": clinic_id, "activeOnly": active_only}
        page = self._pages.page(SESSIONS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.list_sessions(
                session,
                doctor_id=doctor_id,
                clinic_id=clinic_id,
                active_only=active_only,
                after=page.after,
                limit=page.fetch,
            )
        listed = page.split(rows, lambda r: (r["created_at"], r["id"]))
        return listed.items, listed.next_page_token

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
                await lifecycle.cancel_by(session, appointment, viewer, reason or "the session was discontinued")
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
                    await lifecycle.cancel_by(
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
