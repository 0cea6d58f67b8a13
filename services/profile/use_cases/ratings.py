"""Use cases of ratings: patients rate the doctors they saw; everyone reads the ratings."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.pagination import Keyset, Page, PageTokens
from services.profile import store
from services.profile.domain.errors import DoctorNotFound, NoCompletedVisit
from services.profile.domain.ratings import Rating, check_rating

RATINGS = Keyset("profile.ratings", (datetime, uuid.UUID))


class Ratings:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pages: PageTokens) -> None:
        self._sessions = sessions
        self._pages = pages

    async def rate(self, viewer: Principal, doctor_id: uuid.UUID, rating: int, review: str) -> Rating:
        """One rating per patient and doctor (a second one replaces the first), after a completed visit;
        the doctor's average and count are recomputed under the doctor's row lock."""
        check_rating(rating, review)
        async with transaction(self._sessions) as session:
            if await store.doctors.lock(session, doctor_id) is None:
                raise DoctorNotFound()
            if not await store.visits.has_completed(session, viewer.user_id, doctor_id):
                raise NoCompletedVisit()
            saved = await store.ratings.save(
                session, doctor_id=doctor_id, patient_id=viewer.user_id, rating=rating, review=review.strip()
            )
            await store.ratings.refresh_summary(session, doctor_id)
        return saved

    async def of_doctor(self, doctor_id: uuid.UUID, size: int, token: str) -> Page[Rating]:
        page = self._pages.page(RATINGS, size=size, token=token, filters={"doctorId": doctor_id})
        async with self._sessions() as session:
            if not await store.doctors.exists(session, doctor_id):
                raise DoctorNotFound()
            found = await store.ratings.of_doctor(session, doctor_id, page.after, page.fetch)
        return page.split(found, lambda r: (r.create_time, r.patient_id))
