"""Consents: a patient lets a doctor read notes other doctors wrote (SPEC 3.2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Consent:
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    grant_time: datetime
