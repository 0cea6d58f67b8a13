"""Consultation notes and a patient's history: clinical data, every access audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import notes, store
from services.appointments.booking import Status
from services.appointments.schedule import Clock
from services.common.context import Principal, Role
from services.common.db import Row, transaction
from services.common.errors import NotFound, NotYours, PermissionDenied, ValidationErrors, invalid_field
from services.common.pagination import Keyset, PageTokens

TEXT_LIMITS = {"chief_complaint": 2000, "diagnosis": 5000, "treatment_plan": 5000, "follow_up_instructions": 2000}


def _json_name(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def _check(values: dict[str, Any]) -> None:
    errors = ValidationErrors()
    for field, limit in TEXT_LIMITS.items():
        if len(values.get(field) or "") > limit:
            errors.add(_json_name(field), f"must be at most {limit} characters")
    days = values.get("follow_up_in_days")
    if days is not None and not 0 <= days <= 365:
        errors.add("followUpInDays", "must be between 0 and 365")
    if len(values.get("vital_signs") or {}) > 50:
        errors.add("vitalSigns", "at most 50 entries")
    errors.raise_if_any()


HISTORY = Keyset("appointments.patient-history", (date, uuid.UUID))


class ClinicalRecords:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, pages: PageTokens) -> None:
        self._sessions = sessions
        self._now = clock
        self._pages = pages

    async def _with_addenda(self, session: AsyncSession, row: Row, appointment: Row) -> dict[str, Any]:
        return {
            **row,
            "addenda": await store.note_addenda(session, [appointment["id"]]),
            "locked": notes.locked(Status(appointment["status"]), appointment["actual_end_time"], self._now()),
        }

    async def update_notes(
        self, viewer: Principal, appointment_id: uuid.UUID, values: dict[str, Any]
    ) -> dict[str, Any]:
        _check(values)
        async with transaction(self._sessions) as session:
            appointment = await store.appointment(session, appointment_id, lock=True)
            if appointment is None or appointment["doctor_id"] != viewer.user_id:
                raise NotYours()
            notes.check_writable(Status(appointment["status"]), appointment["actual_end_time"], self._now())
            await store.save_notes(session, appointment, values)
            row = await store.notes(session, appointment_id)
            assert row is not None
            return await self._with_addenda(session, row, appointment)

    async def get_notes(self, viewer: Principal, appointment_id: uuid.UUID) -> dict[str, Any]:
        async with self._sessions() as session:
            appointment = await store.appointment(session, appointment_id)
            allowed = False
            if appointment is not None:
                consented = viewer.role is Role.DOCTOR and await store.consented(
                    session, appointment["patient_id"], viewer.user_id
                )
                allowed = notes.may_read(viewer, appointment["doctor_id"], appointment["patient_id"], consented)
            row = await store.notes(session, appointment_id) if allowed else None
            result = await self._with_addenda(session, row, appointment) if row and appointment else None
        if not allowed:
            raise NotYours()
        if result is None:
            raise NotFound("no notes were written for this appointment", reason="NOTES_NOT_FOUND")
        return result

    async def add_addendum(self, viewer: Principal, appointment_id: uuid.UUID, text: str) -> dict[str, Any]:
        if not text.strip() or len(text) > 5000:
            raise invalid_field("text", "must be 1 to 5000 characters")
        async with transaction(self._sessions) as session:
            appointment = await store.appointment(session, appointment_id)
            if appointment is None or appointment["doctor_id"] != viewer.user_id:
                raise NotYours()
            if await store.notes(session, appointment_id, lock=True) is None:
                raise NotFound("no notes were written for this appointment", reason="NOTES_NOT_FOUND")
            await store.add_addendum(session, appointment_id, viewer.user_id, text.strip())
            row = await store.notes(session, appointment_id)
            assert row is not None
            return await self._with_addenda(session, row, appointment)

    async def patient_history(
        self, viewer: Principal, patient_id: uuid.UUID, size: int, token: str
    ) -> tuple[list[tuple[Row, dict[str, Any] | None]], str]:
        """Completed appointments with the notes the caller may see (SPEC 3.3)."""
        filters = {"viewer": viewer.user_id, "patientId": patient_id}
        page = self._pages.page(HISTORY, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            consented = False
            if viewer.role is Role.PATIENT:
                allowed = viewer.user_id == patient_id
            else:
                open_count, last = await store.care_relationship(session, patient_id, viewer.user_id)
                allowed = notes.within_care(open_count, last, self._now())
                consented = await store.consented(session, patient_id, viewer.user_id)
            rows = await store.completed_with_notes(session, patient_id, page.after, page.fetch) if allowed else []
            addenda = await store.note_addenda(session, [r["id"] for r in rows if r["notes_appointment_id"]])
        if not allowed:
            raise PermissionDenied("only the patient and their doctors may read this", reason="NOT_IN_CARE")
        listed = page.split(rows, lambda r: (r["appointment_date"], r["id"]))
        page_rows, next_token = listed.items, listed.next_page_token
        entries = []
        for row in page_rows:
            visible = row["notes_appointment_id"] and notes.may_read(viewer, row["doctor_id"], patient_id, consented)
            entries.append((row, self._notes_of(row, addenda) if visible else None))
        return entries, next_token

    def _notes_of(self, row: Row, addenda: list[Row]) -> dict[str, Any]:
        values = {k.removeprefix("notes_"): v for k, v in row.items() if k.startswith("notes_")}
        values["addenda"] = [a for a in addenda if a["appointment_id"] == row["id"]]
        values["locked"] = notes.locked(Status.COMPLETED, row["actual_end_time"], self._now())
        return values
