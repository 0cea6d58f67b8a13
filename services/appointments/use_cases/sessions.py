"""Session use cases: weekly sessions, their per-date overrides, availability and the doctor's calendar."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.appointments import events
from services.appointments.domain import availability, booking
from services.appointments.domain.availability import CalendarDay, Occurrence
from services.appointments.domain.booking import Actor, Appointment, Status
from services.appointments.domain.directory import CONFIRMED, Doctor
from services.appointments.domain.errors import (
    ClinicInactive,
    ClinicNotFound,
    ConsultationInProgress,
    DeactivationNeedsForce,
    DoctorNotActive,
    DoctorNotFound,
    NotAffiliated,
    OverrideNotFound,
    OwnSessionsOnly,
    SessionNotFound,
    TimeZoneMissing,
)
from services.appointments.domain.schedule import (
    NewSession,
    Override,
    ServiceType,
    Session,
    SessionUpdate,
    check_manages,
    check_no_overlap,
    check_override,
    check_spec,
    plan_of,
    today_in,
    window,
)
from services.appointments.store import appointments as appointment_store
from services.appointments.store import directory as directory_store
from services.appointments.store import sessions as store
from services.appointments.use_cases.appointments import moved
from services.common.clock import Clock, utc_now
from services.common.context import AccountStatus, Principal, Role
from services.common.db import Autocommit, transaction
from services.common.errors import NotYours, invalid_field
from services.common.pagination import Keyset, Page, PageTokens

AffiliationOwner = Callable[[uuid.UUID, uuid.UUID], Awaitable[str | None]]
"""Ask the profile service for an affiliation's status, when this service's copy may lag behind."""
DoctorOwner = Callable[[uuid.UUID], Awaitable[Doctor | None]]
"""Ask the profile service for a doctor (None: it has none the caller may see), when this service's
copy may lag behind; a profile service that cannot answer raises Unavailable, never a refusal."""

SESSIONS = Keyset("appointments.sessions", (datetime, uuid.UUID))


async def managed_session(db: AsyncSession, viewer: Principal, session_id: uuid.UUID, *, lock: bool) -> Session:
    """The session, if the caller manages it: its doctor, or the admin of its clinic."""
    found = await store.session(db, session_id, lock=lock)
    if found is None:
        raise SessionNotFound()
    check_manages(viewer, found)
    return found


class Sessions:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
        affiliation_owner: AffiliationOwner | None = None,
        doctor_owner: DoctorOwner | None = None,
    ) -> None:
        self._db = database
        self._autocommit = Autocommit(engine)
        self._pages = pages
        self._now = clock
        self._affiliation_owner = affiliation_owner
        self._doctor_owner = doctor_owner

    # Sessions

    async def create_session(self, viewer: Principal, new: NewSession) -> Session:
        spec = new.spec
        doctor_id = new.doctor_id or (viewer.user_id if viewer.role is Role.DOCTOR else None)
        if doctor_id is None:
            raise invalid_field("doctorId", "is required")
        if viewer.role is Role.DOCTOR and doctor_id != viewer.user_id:
            raise OwnSessionsOnly()
        if viewer.role is Role.CLINIC_ADMIN and spec.clinic_id is None:
            raise invalid_field("clinicId", "is required for a clinic admin")
        check_spec(spec)
        # What only profile may know yet is asked before the transaction: no connection waits on it.
        doctor = await self._doctor(doctor_id, zone_needed=spec.clinic_id is None)
        if doctor is None:
            raise DoctorNotFound()
        # The doctor's own account status as the interceptor just established it is newer
        # than the directory's copy (a doctor approved a moment ago).
        if not (doctor.active or (doctor_id == viewer.user_id and viewer.status is AccountStatus.ACTIVE)):
            raise DoctorNotActive()
        affiliated = spec.clinic_id is None or await self._affiliated(spec.clinic_id, doctor_id)
        async with transaction(self._db) as db:
            zone = doctor.time_zone
            if spec.clinic_id is not None:
                zone = await self._clinic_zone(db, viewer, spec.clinic_id, affiliated=affiliated)
            if not zone:
                raise TimeZoneMissing()
            spec = dataclasses.replace(spec, effective_from=spec.effective_from or today_in(zone, self._now()))
            assert spec.effective_from is not None
            plan = plan_of(spec, spec.effective_from, zone)
            await store.lock_doctor_sessions(db, doctor_id)
            check_no_overlap(plan, await store.doctor_sessions(db, doctor_id), today_in(zone, self._now()))
            session_id = await store.insert_session(
                db, doctor_id=doctor_id, spec=spec, time_zone=zone, created_by=viewer.user_id
            )
            created = await store.session(db, session_id)
            assert created is not None
            await events.session_created(db, created)
        return created

    async def _clinic_zone(self, db: AsyncSession, viewer: Principal, clinic_id: uuid.UUID, *, affiliated: bool) -> str:
        """A session at a clinic: the caller may place it there and the doctor works there; its zone."""
        clinic = await directory_store.clinic(db, clinic_id)
        if clinic is None:
            raise ClinicNotFound()
        if viewer.role is Role.CLINIC_ADMIN and clinic.admin_id != viewer.user_id:
            raise NotYours()
        if not clinic.active:
            raise ClinicInactive()
        if not affiliated:
            raise NotAffiliated()
        return clinic.time_zone

    async def _affiliated(self, clinic_id: uuid.UUID, doctor_id: uuid.UUID, db: AsyncSession | None = None) -> bool:
        """Whether the doctor works at the clinic: the directory's copy, else profile's word (its
        event may be on its way; DESIGN 6). Given `db`, a transaction that holds a session's lock,
        the copy is read in it and profile asked while it waits (a session moved to a clinic
        whose affiliation event is late: seldom)."""
        if db is None:
            async with self._db() as own:
                status = await directory_store.affiliation_status(own, clinic_id, doctor_id)
        else:
            status = await directory_store.affiliation_status(db, clinic_id, doctor_id)
        if status == CONFIRMED:
            return True
        return self._affiliation_owner is not None and await self._affiliation_owner(clinic_id, doctor_id) == CONFIRMED

    async def _doctor(self, doctor_id: uuid.UUID, *, zone_needed: bool) -> Doctor | None:
        """The doctor from the directory. One it does not hold yet, or holds without the time zone a
        session needs, may be profile's event still on its way (DESIGN 6): profile is asked before a
        refusal, outside any transaction, and its answer kept in the directory (its fee and name
        too, which the new session shows), under the version read, so every later event applies
        (an older one still in flight too, for the moment until the newest comes: profile's doctor
        carries no version to compare)."""
        async with self._db() as db:
            doctor = await directory_store.doctor(db, doctor_id)
        if self._doctor_owner is None or (doctor is not None and (doctor.time_zone or not zone_needed)):
            return doctor
        found = await self._doctor_owner(doctor_id)
        if found is None:
            return doctor
        read = dataclasses.replace(found, version=doctor.version if doctor else 0)
        async with self._db() as db, db.begin():
            await directory_store.refresh_doctor(db, read)
            kept = await directory_store.doctor(db, doctor_id)
        assert kept is not None
        return kept

    async def get_session(self, session_id: uuid.UUID) -> Session:
        async with self._db() as db:
            found = await store.session(db, session_id)
        if found is None:
            raise SessionNotFound()
        return found

    async def list_sessions(
        self, *, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None, active_only: bool, size: int, token: str
    ) -> Page[Session]:
        filters = {"doctorId": doctor_id, "clinicId": clinic_id, "activeOnly": active_only}
        page = self._pages.page(SESSIONS, size=size, token=token, filters=filters)
        async with self._db() as db:
            found = await store.list_sessions(
                db,
                doctor_id=doctor_id,
                clinic_id=clinic_id,
                active_only=active_only,
                after=page.after,
                limit=page.fetch,
            )
        return page.split(found, lambda s: (s.created_at, s.id))

    async def deactivate_session(
        self, viewer: Principal, session_id: uuid.UUID, *, force: bool, reason: str
    ) -> Session:
        """End a session; its future appointments are cancelled, but only when the caller says so."""
        async with transaction(self._db) as db:
            current = await managed_session(db, viewer, session_id, lock=True)
            booked = await appointment_store.future_active(
                db, session_id=session_id, first=today_in(current.time_zone, self._now())
            )
            if booked and not force:
                raise DeactivationNeedsForce(len(booked))
            for appointment in booked:
                cancelled = booking.move(Status.CANCELLED, Actor.of(viewer), reason or "the session was discontinued")
                await moved(db, appointment, cancelled)
            await store.deactivate_session(db, session_id)
            after = await store.session(db, session_id)
            assert after is not None
            await events.session_deactivated(db, after)
        return after

    async def update_session(self, viewer: Principal, session_id: uuid.UUID, update: SessionUpdate) -> Session:
        """Change a session; what would move booked patients is refused while they exist."""
        async with transaction(self._db) as db:
            current = await managed_session(db, viewer, session_id, lock=True)
            spec = update.applied_to(current.spec)
            check_spec(spec)
            today = today_in(current.time_zone, self._now())
            booked = await appointment_store.future_active(db, session_id=session_id, first=today)
            booking.check_not_moving(current, spec, booked)
            if spec.clinic_id != current.clinic_id and spec.clinic_id is not None:
                affiliated = await self._affiliated(spec.clinic_id, current.doctor_id, db)
                await self._clinic_zone(db, viewer, spec.clinic_id, affiliated=affiliated)
            booking.check_keeps_bookings(spec, booked)
            plan = plan_of(spec, spec.effective_from or today, current.time_zone)
            others = [s for s in await store.doctor_sessions(db, current.doctor_id) if s.id != session_id]
            check_no_overlap(plan, others, today)
            await store.update_session(db, session_id, spec)
            after = await store.session(db, session_id)
            assert after is not None
            if {"estimated_consultation_minutes", "session_end_time"} & update.fields:
                await self._recompute_estimates(db, after, booked)
            await events.session_updated(db, after)
        return after

    async def _recompute_estimates(self, db: AsyncSession, session: Session, booked: list[Appointment]) -> None:
        """The expected start of each booked appointment after its session's hours, duration or a
        date's override changed; each one that moved is a new version, published (`updated`), so
        its video session moves with it (SPEC: moved when the estimate moves)."""
        estimates = []
        for appointment in booked:
            found = await store.override(db, session.id, appointment.appointment_date)
            start, _ = window(session.plan, appointment.appointment_date, found.changes if found else None)
            estimated = booking.estimated_start(start, appointment.queue_number, session.estimated_consultation_minutes)
            if estimated != appointment.estimated_start_time:
                estimates.append((appointment.id, estimated))
        await appointment_store.set_estimated_starts(db, estimates)
        for appointment_id, _ in estimates:
            moved_one = await appointment_store.appointment(db, appointment_id)
            assert moved_one is not None
            await events.appointment_updated(db, moved_one)

    # Overrides

    async def save_override(self, viewer: Principal, override: Override) -> Override:
        """Another capacity or other hours for one date, or the date cancelled with its bookings."""
        session_id, day, changes = override.session_id, override.date, override.changes
        async with transaction(self._db) as db:
            current = await managed_session(db, viewer, session_id, lock=True)
            check_override(current.plan, day, changes)
            await store.lock_occurrence(db, session_id, day)
            if changes.capacity:
                booking.check_capacity(changes.capacity, await store.highest_held(db, session_id, day))
            if changes.cancelled:
                active = await appointment_store.future_active(db, session_id=session_id, first=day, day=day)
                if any(a.status is Status.IN_PROGRESS for a in active):
                    raise ConsultationInProgress()
                for appointment in active:
                    reason = changes.reason or "the session is cancelled that day"
                    await moved(db, appointment, booking.move(Status.CANCELLED, Actor.of(viewer), reason))
            await store.save_override(db, override)
            saved = await store.override(db, session_id, day)
            if not changes.cancelled:
                booked = await appointment_store.future_active(db, session_id=session_id, first=day, day=day)
                await self._recompute_estimates(db, current, booked)
        assert saved is not None
        return saved

    async def list_overrides(self, session_id: uuid.UUID) -> list[Override]:
        async with self._db() as db:
            if await store.session(db, session_id) is None:
                raise SessionNotFound()
            return await store.session_overrides(db, [session_id], date.min, date.max)

    async def delete_override(self, viewer: Principal, session_id: uuid.UUID, day: date) -> None:
        async with transaction(self._db) as db:
            current = await managed_session(db, viewer, session_id, lock=True)
            if not await store.delete_override(db, session_id, day):
                raise OverrideNotFound()
            booked = await appointment_store.future_active(db, session_id=session_id, first=day, day=day)
            await self._recompute_estimates(db, current, booked)

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
    ) -> list[Occurrence]:
        """Occurrences of bookable sessions in a range (today and six days by default), by start."""
        start, end = availability.availability_range(first, last, self._now().date())
        async with self._autocommit.connection() as connection:
            found = await store.bookable(
                connection,
                doctor_id=doctor_id,
                clinic_id=clinic_id,
                specialization=specialization,
                service_types=availability.service_types_for(service_type),
                first=start,
                last=end,
            )
        return availability.occurrences(
            found.sessions, found.overrides, found.held, first=start, last=end, now=self._now()
        )

    async def calendar(
        self, viewer: Principal, doctor_id: uuid.UUID, first: date | None, days: int
    ) -> list[CalendarDay]:
        """Per day: the doctor's occurrences, and why a day has no place (NO_SESSION, HOLIDAY, FULL).
        Doctors are directory data, so an unknown one is NOT_FOUND rather than a month without
        sessions; so is one a patient may not see (SPEC: patients only ever see verified doctors)."""
        start, last = availability.calendar_range(first, days, self._now().date())
        doctor = await self._doctor(doctor_id, zone_needed=False)
        if doctor is None or (viewer.role is Role.PATIENT and not doctor.active):
            raise DoctorNotFound()
        found = await self.availability(
            doctor_id=doctor_id, clinic_id=None, specialization="", service_type=None, first=start, last=last
        )
        return availability.calendar(found, start, last, self._now())
