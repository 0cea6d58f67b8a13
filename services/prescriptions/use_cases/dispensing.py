"""Dispensing a prescription from a pharmacy's stock (SPEC 3.4): the prescription is claimed (row
lock: a concurrent cancel or a second pharmacy waits, then fails cleanly), each line is checked
against the prescription and the pharmacy's catalog, the inventory service takes the stock with an
idempotency key that every retry of this request repeats, and the units, status, dispensation and
event are written in one statement before the claim is released. A failure anywhere before that
commit leaves the prescription as it was; the inventory call is all lines or none, and a retry gets
the stock the first call took instead of taking it again."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal
from services.common.db import transaction
from services.prescriptions import events
from services.prescriptions.domain import dispensing
from services.prescriptions.domain import prescriptions as rules
from services.prescriptions.domain.dispensing import (
    CatalogEntry,
    Dispensation,
    DispenseLine,
    DispenseRequest,
    StockTaken,
)
from services.prescriptions.domain.errors import WrongDispenseCode
from services.prescriptions.domain.prescriptions import Prescription
from services.prescriptions.store import prescriptions as store

DISPENSED = "DISPENSED"


class PharmacyStock(Protocol):
    """The inventory service, asked on the caller's behalf (so it checks the pharmacy is theirs)."""

    async def catalog(self, catalog_item_ids: set[uuid.UUID]) -> dict[uuid.UUID, CatalogEntry]:
        """The catalog items, as the pharmacy's catalog holds them."""
        ...

    async def take(
        self, pharmacy_id: uuid.UUID, lines: tuple[DispenseLine, ...], *, reference: str, key: uuid.UUID
    ) -> StockTaken:
        """Dispense the lines, first expiry first, all or none; the same key returns the first result."""
        ...


class Dispensing:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], stock: PharmacyStock, *, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self._stock = stock
        self._now = clock

    async def dispense(self, viewer: Principal, request: DispenseRequest) -> tuple[Prescription, Dispensation]:
        """The prescription as it is after the dispense (as a pharmacy sees it) and what was taken; a
        repeated request id returns the first dispensation with the prescription as it is now."""
        if request.request_id is not None:
            first = await self._first(viewer, request.request_id)
            if first is not None:
                return first
        catalog = await self._stock.catalog({line.catalog_item_id for line in request.lines})
        try:
            async with transaction(self._sessions) as session:
                current = await store.prescription(session, request.prescription_id, lock=True)
                if current is None or not rules.holds_code(current, request.code):
                    raise WrongDispenseCode()
                if request.request_id is not None:
                    # A concurrent repeat waited for the claim: what did the first one take?
                    found = await store.dispensation_with_request(session, viewer.user_id, request.request_id)
                    if found is not None and found[0] == current.id:
                        return rules.for_pharmacy(current), found[1]
                    if found is not None:
                        raise store.RequestIdTaken
                now = self._now()
                rules.check_fillable(current, DISPENSED, now)
                dispensing.check_lines(current, request, catalog)
                key = dispensing.inventory_key(current, request)
                taken = await self._stock.take(request.pharmacy_id, request.lines, reference=str(current.id), key=key)
                dispensation = dispensing.dispensed(request, taken, uuid.uuid4(), now)
                items = dispensing.after_dispense(current, dispensation)
                after = replace(
                    current, items=items, status=rules.status_after(items), version=current.version + 1, update_time=now
                )
                event = events.changed(after, previous=current.status, dispensation=dispensation)
                await store.record_dispense(
                    session,
                    after,
                    dispensation,
                    actor_id=viewer.user_id,
                    request_id=request.request_id,
                    inventory_key=key,
                    event=event,
                )
        except store.RequestIdTaken:
            # The same request id dispensed another prescription first: that is the first result.
            assert request.request_id is not None
            first = await self._first(viewer, request.request_id)
            assert first is not None
            return first
        return rules.for_pharmacy(after), dispensation

    async def _first(self, viewer: Principal, request_id: uuid.UUID) -> tuple[Prescription, Dispensation] | None:
        async with self._sessions() as session:
            found = await store.dispensation_with_request(session, viewer.user_id, request_id)
            if found is None:
                return None
            prescription_id, dispensation = found
            current = await store.prescription(session, prescription_id)
        assert current is not None
        return rules.for_pharmacy(current), dispensation
