"""The profile tables as the store's modules query them, and the SQL pieces they share."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import projections
from services.common.context import AccountStatus
from services.profile import models
from services.profile.domain.field_checks import OperatingHours

accounts = projections.accounts
profiles = cast(sa.Table, models.Profile.__table__)
patients = cast(sa.Table, models.Patient.__table__)
doctors = cast(sa.Table, models.Doctor.__table__)
clinics = cast(sa.Table, models.Clinic.__table__)
affiliations = cast(sa.Table, models.Affiliation.__table__)
pharmacies = cast(sa.Table, models.Pharmacy.__table__)
consents = cast(sa.Table, models.Consent.__table__)
visits = cast(sa.Table, models.Visit.__table__)
ratings = cast(sa.Table, models.Rating.__table__)

verified = (accounts.c.status == AccountStatus.ACTIVE.value).label("verified")
"""Whether the account behind a directory entry is approved; false while no account event arrived."""


def requested(names: frozenset[str], **values: object) -> dict[str, object]:
    """The column values of the fields a change names (SPEC 1's update rule: the others are kept)."""
    return {name: value for name, value in values.items() if name in names}


def new_version(table: sa.Table) -> dict[str, Any]:
    """What every change of a versioned row also sets: the next version and, where kept, the update time."""
    return {"version": table.c.version + 1, **({"updated_at": sa.func.now()} if "updated_at" in table.c else {})}


async def lock_key(session: AsyncSession, key: str) -> None:
    """Serialize transactions about one thing that may not have a row yet (e.g. an admin's first clinic)."""
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


def newest_first(
    select: sa.Select[Any], table: sa.Table, *, query: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> sa.Select[Any]:
    """Clinics or pharmacies, newest first, optionally by part of the name (keyset-paginated)."""
    select = select.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
    if query:
        select = select.where(sa.func.lower(table.c.name).contains(query.strip().lower(), autoescape=True))
    if after is not None:
        select = select.where(sa.tuple_(table.c.created_at, table.c.id) < sa.tuple_(*map(sa.literal, after)))
    return select


def violated_constraint(error: IntegrityError) -> str:
    """The name of the constraint a statement violated ("" when the driver does not say)."""
    diagnostics = getattr(error.orig, "diag", None)
    return str(getattr(diagnostics, "constraint_name", None) or "")


def operating_hours(stored: list[dict[str, str]]) -> tuple[OperatingHours, ...]:
    """Opening hours from their JSON column (the proto3 JSON names of OperatingHours)."""
    return tuple(
        OperatingHours(day_of_week=e.get("dayOfWeek", ""), open=e.get("open", ""), close=e.get("close", ""))
        for e in stored
    )


def stored_hours(hours: tuple[OperatingHours, ...]) -> list[dict[str, str]]:
    return [{"dayOfWeek": h.day_of_week, "open": h.open, "close": h.close} for h in hours]
