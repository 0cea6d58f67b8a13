"""Prescription use cases: issue in a consultation, read, list by party, find by dispense code, fill
without stock tracking, cancel (SPEC 3.4)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import InvalidArgument, NotYours, invalid_field
from services.common.pagination import Keyset, Page, PageTokens
from services.common.throttle import Throttle
from services.prescriptions import events
from services.prescriptions.domain import prescriptions as rules
from services.prescriptions.domain.errors import RoleMayNotSetStatus, TooManyCodeMisses, WrongDispenseCode
from services.prescriptions.domain.prescriptions import Item, NewPrescription, Prescription, Status
from services.prescriptions.store import prescriptions as store
from services.prescriptions.use_cases.appointments import Appointments

PRESCRIPTIONS = Keyset("prescriptions.prescriptions", (datetime, uuid.UUID))
CODE_ATTEMPTS = 5
"""Draws of a dispense code before giving up: with 32^8 codes a second draw is already rare."""
CODE_MISSES_BURST = 20
CODE_MISS_REFILL_SECONDS = 30.0
"""A pharmacy may look up 20 codes that match nothing at once, then one more every 30 s (per replica):
plenty for codes mistyped at a counter, and about 10^-7 of the code space a day for a guesser."""


class Prescriptions:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        appointments: Appointments,
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._appointments = appointments
        self._pages = pages
        self._now = clock
        self._code_misses = Throttle(CODE_MISSES_BURST, CODE_MISS_REFILL_SECONDS)

    async def prescribe(self, viewer: Principal, new: NewPrescription) -> Prescription:
        """Issued by the appointment's doctor while it is IN_PROGRESS or COMPLETED, for its patient,
        valid until a date in the appointment's zone; a repeated request id returns the first."""
        if new.request_id is not None:
            first = await self._issued_with(viewer, new.request_id)
            if first is not None:
                return first
        appointment = await self._appointments.prescribable(viewer, new.appointment_id)
        now = self._now()
        zone = rules.zone_of(appointment.time_zone)
        until = rules.valid_until(new.valid_until, rules.today_in(zone, now))
        items = tuple(Item(**vars(item), id=uuid.uuid4(), dispensed_quantity=0) for item in new.items)
        prescription = Prescription(
            id=uuid.uuid4(),
            doctor_id=viewer.user_id,
            patient_id=appointment.patient_id,
            appointment_id=appointment.id,
            clinic_id=appointment.clinic_id,
            issued_at=now,
            valid_until=until,
            time_zone=zone,
            status=Status.ACTIVE,
            notes=new.notes,
            dispense_code=rules.new_code(),
            items=items,
            cancellation_reason="",
            update_time=now,
            version=1,
        )
        for _ in range(CODE_ATTEMPTS):
            try:
                async with transaction(self._sessions) as session:
                    event = events.changed(prescription, previous=None)
                    await store.insert_prescription(session, prescription, new.request_id, event)
                return prescription
            except store.CodeTaken:
                prescription = replace(prescription, dispense_code=rules.new_code())
            except store.RequestIdTaken:
                assert new.request_id is not None
                first = await self._issued_with(viewer, new.request_id)
                assert first is not None, "a request id is taken by a prescription that cannot be read"
                return first
        raise RuntimeError("no free dispense code after several draws")

    async def get(self, viewer: Principal, prescription_id: uuid.UUID) -> Prescription:
        """To its patient and its doctor; to anyone else it is someone else's, existing or not."""
        async with self._sessions() as session:
            found = await store.prescription(session, prescription_id)
        if found is None:
            raise NotYours()
        rules.check_party(viewer, found)
        return found

    async def list(
        self,
        viewer: Principal,
        *,
        appointment_id: uuid.UUID | None,
        doctor_id: uuid.UUID | None,
        patient_id: uuid.UUID | None,
        size: int,
        token: str,
    ) -> Page[Prescription]:
        """One appointment's (to its patient and doctor), one doctor's (to that doctor) or one
        patient's (to that patient; to a doctor who has seen the patient, the ones that doctor issued)."""
        named = [value for value in (appointment_id, doctor_id, patient_id) if value is not None]
        if len(named) != 1:
            raise InvalidArgument(
                "name exactly one of appointmentId, doctorId or patientId", reason="VALIDATION_FAILED"
            )
        filters: dict[str, uuid.UUID | None] = {"appointment_id": appointment_id}
        if appointment_id is not None:
            await self._appointments.check_party(viewer, appointment_id)
        elif doctor_id is not None:
            if viewer.user_id != doctor_id:
                raise NotYours()
            filters = {"doctor_id": doctor_id}
        elif patient_id is not None:
            filters = {"patient_id": patient_id}
            if viewer.user_id != patient_id:
                if not (viewer.is_(Role.DOCTOR) and await self._appointments.in_care_of(viewer.user_id, patient_id)):
                    raise NotYours()
                filters["doctor_id"] = viewer.user_id
        page = self._pages.page(PRESCRIPTIONS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.list_prescriptions(session, **filters, after=page.after, limit=page.fetch)  # type: ignore[arg-type]
        return page.split(rows, lambda p: (p.issued_at, p.id))

    async def find_active(self, viewer: Principal, code: str) -> Sequence[Prescription]:
        """For a pharmacy: the open, unexpired prescription holding the code, without notes or code.
        A pharmacy whose lookups keep missing is slowed down before the next one is even made."""
        if not code.strip():
            raise invalid_field("code", "is required")
        wait = self._code_misses.wait_seconds(viewer.user_id)
        if wait:
            raise TooManyCodeMisses(wait)
        async with self._sessions() as session:
            found = await store.open_with_code(session, rules.normalized_code(code))
        if found is None or found.expired(self._now()):
            self._code_misses.spend(viewer.user_id)
            return []
        return [rules.for_pharmacy(found)]

    async def change_status(
        self, viewer: Principal, prescription_id: uuid.UUID, status: Status | None, *, code: str, reason: str
    ) -> Prescription:
        """CANCELLED by its doctor, or FILLED (without stock tracking) by a pharmacy holding its code."""
        if status is Status.CANCELLED:
            if not viewer.is_(Role.DOCTOR):
                raise RoleMayNotSetStatus(viewer.role.value, status.value)
            return await self.cancel(viewer, prescription_id, reason)
        if status is Status.FILLED:
            if not viewer.is_(Role.PHARMACY):
                raise RoleMayNotSetStatus(viewer.role.value, status.value)
            if not code.strip():
                raise invalid_field("code", "is required to fill a prescription")
            return await self._fill(prescription_id, code)
        raise invalid_field("status", "must be CANCELLED or FILLED")

    async def cancel(self, viewer: Principal, prescription_id: uuid.UUID, reason: str) -> Prescription:
        def cancelled(current: Prescription, now: datetime) -> Prescription:
            rules.check_its_doctor(viewer, current)
            rules.check_open(current, Status.CANCELLED.value)
            return replace(current, status=Status.CANCELLED, cancellation_reason=reason.strip())

        return await self._change(prescription_id, cancelled)

    async def _fill(self, prescription_id: uuid.UUID, code: str) -> Prescription:
        def filled(current: Prescription, now: datetime) -> Prescription:
            if not rules.holds_code(current, code):
                raise WrongDispenseCode()
            rules.check_fillable(current, Status.FILLED.value, now)
            return replace(current, status=Status.FILLED)

        return rules.for_pharmacy(await self._change(prescription_id, filled, refused=WrongDispenseCode))

    async def _change(
        self,
        prescription_id: uuid.UUID,
        change: rules.StatusChange,
        refused: type[Exception] = NotYours,
    ) -> Prescription:
        """Claim the prescription (row lock: a concurrent dispense or change waits), apply the change
        and write it with its event."""
        now = self._now()
        async with transaction(self._sessions) as session:
            current = await store.prescription(session, prescription_id, lock=True)
            if current is None:
                raise refused()
            changed = replace(change(current, now), version=current.version + 1, update_time=now)
            await store.change_status(session, changed, events.changed(changed, previous=current.status))
        return changed

    async def _issued_with(self, viewer: Principal, request_id: uuid.UUID) -> Prescription | None:
        async with self._sessions() as session:
            return await store.issued_with_request(session, viewer.user_id, request_id)
