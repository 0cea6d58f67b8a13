"""Use cases of pharmacies: the directory, and pharmacy owners keeping theirs (one each, with a license
number no other pharmacy holds)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.common.pagination import Keyset, Page, PageTokens
from services.profile import events, store
from services.profile.domain.errors import LicenseTaken, PharmacyExists, PharmacyNotFound
from services.profile.domain.licenses import changed_license
from services.profile.domain.pharmacies import Pharmacy, PharmacyChanges, check_pharmacy_changes

PHARMACIES = Keyset("profile.pharmacies", (datetime, uuid.UUID))


class Pharmacies:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pages: PageTokens) -> None:
        self._sessions = sessions
        self._pages = pages

    async def search(self, query: str, size: int, token: str) -> Page[Pharmacy]:
        """Newest first, optionally by part of the name."""
        page = self._pages.page(PHARMACIES, size=size, token=token, filters={"query": query})
        async with self._sessions() as session:
            found = await store.pharmacies.newest(session, query=query, after=page.after, limit=page.fetch)
        return page.split(found, lambda p: (p.create_time, p.id))

    async def get(self, pharmacy_id: uuid.UUID) -> Pharmacy:
        async with self._sessions() as session:
            pharmacy = await store.pharmacies.get(session, pharmacy_id)
        if pharmacy is None:
            raise PharmacyNotFound()
        return pharmacy

    async def create(self, viewer: Principal, changes: PharmacyChanges) -> Pharmacy:
        check_pharmacy_changes(changes, creating=True)
        async with transaction(self._sessions) as session:
            await store.pharmacies.lock_owner(session, viewer.user_id)
            if await store.pharmacies.of_owner(session, viewer.user_id) is not None:
                raise PharmacyExists()
            await self._claim_license(session, changes.license_number, viewer.user_id)
            pharmacy = await store.pharmacies.insert(session, viewer.user_id, changes)
            await events.pharmacy_updated(session, pharmacy)
        return pharmacy

    async def update(self, viewer: Principal, pharmacy_id: uuid.UUID, changes: PharmacyChanges) -> Pharmacy:
        """A new license number sends the owner's account back to approval (SPEC 3.2)."""
        check_pharmacy_changes(changes, creating=False)
        async with transaction(self._sessions) as session:
            current = await store.pharmacies.lock(session, pharmacy_id)
            if current is None or current.owner_id != viewer.user_id:
                raise NotYours()
            new_license = changed_license(current.license_number, changes.license_number)
            if new_license:
                await self._claim_license(session, new_license, viewer.user_id)
            pharmacy = await store.pharmacies.update(session, pharmacy_id, changes)
            if new_license:
                await events.license_changed(session, viewer.user_id, new_license, pharmacy.version)
            await events.pharmacy_updated(session, pharmacy)
        return pharmacy

    async def _claim_license(self, session: AsyncSession, license_number: str, owner_id: uuid.UUID) -> None:
        """The license number is free, or the owner's own, until the transaction ends."""
        await store.pharmacies.lock_license(session, license_number)
        holder = await store.pharmacies.license_holder(session, license_number)
        if holder is not None and holder != owner_id:
            raise LicenseTaken()
