"""Visits: the appointments between patients and doctors, as the appointments service reports them.
They decide the care relationship (SPEC 2) and who may rate whom."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

OPEN_STATUSES = ("BOOKED", "CHECKED_IN", "IN_PROGRESS")
"""An appointment in one of these keeps the care relationship open."""
CANCELLED = "CANCELLED"
"""A cancelled appointment never counts towards the care relationship."""
COMPLETED = "COMPLETED"
"""A completed appointment lets the patient rate the doctor."""


@dataclass(frozen=True)
class Visit:
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    status: str
    """The appointment's status name, e.g. `BOOKED`, `COMPLETED`."""
    starts_at: datetime
    """When it started, or was estimated to start."""
    ends_at: datetime | None
    version: int
    """The appointment's version: an older event never overwrites a newer one."""
