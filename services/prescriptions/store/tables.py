"""Table handles of the prescriptions database."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from services.prescriptions import models

appointments = cast(sa.Table, models.Appointment.__table__)
prescriptions = cast(sa.Table, models.Prescription.__table__)
items = cast(sa.Table, models.PrescriptionItem.__table__)
dispensations = cast(sa.Table, models.Dispensation.__table__)
