"""Who may read a patient's medical data (SPEC 2): the patient, or a doctor within the care relationship."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.common.care import CareRelationship, within_care
from services.common.context import Principal, Role


def may_read_medical_data(
    viewer: Principal, patient_id: uuid.UUID, relationship: CareRelationship | None, now: datetime
) -> bool:
    """The single rule for patients' medical data: the patient, or a doctor in care. Nobody else, not
    even a SYSTEM_ADMIN: operating the platform is not a reason to read clinical content (SPEC 2)."""
    if viewer.role is Role.PATIENT:
        return viewer.user_id == patient_id
    if viewer.role is Role.DOCTOR:
        return within_care(relationship, now)
    return False
