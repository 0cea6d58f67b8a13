"""Clinical-record use cases: consultation notes, their addenda, and a patient's history of visits.
Clinical data: every access is audited (declared per method in the protos)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments.domain import notes
from services.appointments.domain.errors import NotesNotFound, NotInCare
from services.appointments.domain.notes import HistoryEntry, NotesChange, NotesRecord
from services.appointments.store import appointments as appointment_store
from services.appointments.store import directory as directory_store
from services.appointments.store import notes as store
from services.common.care import within_care
from services.common.clock import Clock
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.common.pagination import Keyset, Page, PageTokens

HISTORY = Keyset("appointments.patient-history", (date, uuid.UUID))


class Notes:
    def __init__(self, database: async_sessionmaker[AsyncSession], clock: Clock, *, pages: PageTokens) -> None:
        self._db = database
        self._now = clock
        self._pages = pages

    async def update_notes(self, viewer: Principal, appointment_id: uuid.UUID, change: NotesChange) -> NotesRecord:
        """The appointment's doctor writes its notes, from the start of the consultation until they lock."""
        change = notes.with_sent_vital_signs(change)
        notes.check_change(change)
        async with transaction(self._db) as db:
            appointment = await appointment_store.appointment(db, appointment_id, lock=True)
            if appointment is None or appointment.doctor_id != viewer.user_id:
                raise NotYours()
            notes.check_writable(appointment.status, appointment.actual_end_time, self._now())
            await store.save_notes(db, appointment, change)
            saved = await store.notes_of(db, appointment_id)
            assert saved is not None
            return notes.record_of(saved, await store.addenda_of(db, [appointment_id]), appointment, self._now())

    async def get_notes(self, viewer: Principal, appointment_id: uuid.UUID) -> NotesRecord:
        async with self._db() as db:
            appointment = await appointment_store.appointment(db, appointment_id)
            allowed = False
            if appointment is not None:
                consented = viewer.role is Role.DOCTOR and await directory_store.consented(
                    db, appointment.patient_id, viewer.user_id
                )
                allowed = notes.may_read(viewer, appointment.doctor_id, appointment.patient_id, consented)
            found = await store.notes_of(db, appointment_id) if allowed else None
            record = None
            if found is not None and appointment is not None:
                record = notes.record_of(found, await store.addenda_of(db, [appointment_id]), appointment, self._now())
        if not allowed:
            raise NotYours()
        if record is None:
            raise NotesNotFound()
        return record

    async def add_addendum(self, viewer: Principal, appointment_id: uuid.UUID, text: str) -> NotesRecord:
        """A correction the appointment's doctor appends, locked notes or not."""
        text = notes.addendum_text(text)
        async with transaction(self._db) as db:
            appointment = await appointment_store.appointment(db, appointment_id)
            if appointment is None or appointment.doctor_id != viewer.user_id:
                raise NotYours()
            if await store.notes_of(db, appointment_id, lock=True) is None:
                raise NotesNotFound()
            await store.add_addendum(db, appointment_id, viewer.user_id, text)
            saved = await store.notes_of(db, appointment_id)
            assert saved is not None
            return notes.record_of(saved, await store.addenda_of(db, [appointment_id]), appointment, self._now())

    async def patient_history(
        self, viewer: Principal, patient_id: uuid.UUID, *, size: int, token: str
    ) -> Page[HistoryEntry]:
        """Completed appointments with the notes the caller may see (SPEC 3.3)."""
        filters = {"viewer": viewer.user_id, "patientId": patient_id}
        page = self._pages.page(HISTORY, size=size, token=token, filters=filters)
        async with self._db() as db:
            consented = False
            if viewer.role is Role.PATIENT:
                allowed = viewer.user_id == patient_id
            else:
                relationship = await store.care_relationship(db, patient_id, viewer.user_id)
                allowed = within_care(relationship, self._now())
                consented = await directory_store.consented(db, patient_id, viewer.user_id)
            visits = await store.completed_with_notes(db, patient_id, page.after, page.fetch) if allowed else []
            addenda = await store.addenda_of(db, [a.id for a, written in visits if written is not None])
        if not allowed:
            raise NotInCare()
        listed = page.split(visits, lambda visit: (visit[0].appointment_date, visit[0].id))
        entries = [
            notes.history_entry(viewer, appointment, written, addenda, consented=consented, now=self._now())
            for appointment, written in listed.items
        ]
        return Page(entries, listed.next_page_token)
