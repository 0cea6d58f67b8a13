"""The care relationship of SPEC 2: when a doctor may read a patient's medical profile and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CARE_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class CareRelationship:
    """The appointments between one doctor and one patient, as far as a service knows them."""

    open_appointments: int
    last_appointment_at: datetime | None


def within_care(relationship: CareRelationship | None, now: datetime) -> bool:
    """While the doctor has a non-cancelled appointment with the patient, and for 90 days after the last."""
    if relationship is None:
        return False
    if relationship.open_appointments > 0:
        return True
    return relationship.last_appointment_at is not None and now - relationship.last_appointment_at <= CARE_WINDOW
