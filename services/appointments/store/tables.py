"""The tables of the appointments database as SQLAlchemy Core sees them (from models.py)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from services.appointments import models
from services.common import projections

accounts = projections.accounts
doctors = cast(sa.Table, models.Doctor.__table__)
clinics = cast(sa.Table, models.Clinic.__table__)
affiliations = cast(sa.Table, models.Affiliation.__table__)
consents = cast(sa.Table, models.Consent.__table__)
sessions = cast(sa.Table, models.Session.__table__)
overrides = cast(sa.Table, models.SessionOverride.__table__)
occurrences = cast(sa.Table, models.Occurrence.__table__)
appointments = cast(sa.Table, models.Appointment.__table__)
history = cast(sa.Table, models.StatusChange.__table__)
call_next_requests = cast(sa.Table, models.CallNextRequest.__table__)
notes = cast(sa.Table, models.ConsultationNotes.__table__)
addenda = cast(sa.Table, models.Addendum.__table__)
