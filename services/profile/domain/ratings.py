"""Ratings of doctors by their patients: one per patient and doctor, 1 to 5, with a short review."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.fields import Checks

REVIEW_LIMIT = 2000


@dataclass(frozen=True)
class Rating:
    doctor_id: uuid.UUID
    patient_id: uuid.UUID
    rating: int
    review: str
    create_time: datetime
    update_time: datetime


def check_rating(rating: int, review: str) -> None:
    checks = Checks()
    checks.between("rating", rating, 1, 5)
    checks.text("review", review, REVIEW_LIMIT)
    checks.done()
