"""Directory use cases: the mirror of doctors, clinics, affiliations, consents and account states that
other services' events feed, and what their changes mean for sessions and booked appointments. They
run in the transaction of the consumed event."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.booking import Actor
from services.appointments.domain.directory import AccountChange, Affiliation, Clinic, Consent, Doctor
from services.appointments.store import directory as store
from services.appointments.store import sessions as session_store
from services.appointments.use_cases.appointments import cancel_future
from services.common.clock import Clock, utc_now


class Directory:
    def __init__(self, clock: Clock = utc_now) -> None:
        self._now = clock

    def _today(self) -> date:
        # The earliest "today" anywhere: an appointment later today in any zone is still in the future.
        return self._now().date()

    async def account_changed(self, db: AsyncSession, change: AccountChange, *, applied: bool, actor: Actor) -> None:
        """A suspended doctor sees nobody: their future appointments are cancelled, one ordinary
        cancellation at a time, so every patient is told."""
        if applied and change.doctor_gone:
            await cancel_future(
                db, from_date=self._today(), doctor_id=change.user_id, actor=actor,
                reason="the doctor is no longer available",
            )  # fmt: skip

    async def doctor_updated(self, db: AsyncSession, doctor: Doctor) -> None:
        await store.save_doctor(db, doctor)

    async def clinic_updated(self, db: AsyncSession, clinic: Clinic, *, actor: Actor) -> None:
        """A clinic that closes takes its sessions and future appointments with it."""
        if await store.save_clinic(db, clinic) and not clinic.active:
            await session_store.deactivate_sessions(db, doctor_id=None, clinic_id=clinic.id)
            await cancel_future(
                db, from_date=self._today(), clinic_id=clinic.id, actor=actor, reason="the clinic is closed"
            )

    async def affiliation_updated(self, db: AsyncSession, affiliation: Affiliation, *, actor: Actor) -> None:
        """An affiliation that ends takes the doctor's sessions and appointments at that clinic with it."""
        if await store.save_affiliation(db, affiliation) and affiliation.ended:
            await session_store.deactivate_sessions(
                db, doctor_id=affiliation.doctor_id, clinic_id=affiliation.clinic_id
            )
            await cancel_future(
                db, from_date=self._today(), doctor_id=affiliation.doctor_id, clinic_id=affiliation.clinic_id,
                actor=actor, reason="the doctor no longer works at this clinic",
            )  # fmt: skip

    async def consent_changed(self, db: AsyncSession, consent: Consent) -> None:
        await store.save_consent(db, consent)
