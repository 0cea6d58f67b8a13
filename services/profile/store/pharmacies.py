"""Pharmacies; one per owner and one per license number, which the table's unique constraints guard."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.profile.domain.errors import LicenseTaken, PharmacyExists
from services.profile.domain.pharmacies import Pharmacy, PharmacyChanges
from services.profile.store.tables import (
    accounts,
    lock_key,
    new_version,
    newest_first,
    operating_hours,
    pharmacies,
    requested,
    stored_hours,
    verified,
    violated_constraint,
)

# The unique constraints of migration 0001, by PostgreSQL's default names.
LICENSE_UNIQUE = "pharmacies_license_number_key"
OWNER_UNIQUE = "pharmacies_owner_id_key"


def _query() -> sa.Select[Any]:
    return sa.select(pharmacies, verified).select_from(
        pharmacies.outerjoin(accounts, accounts.c.user_id == pharmacies.c.owner_id)
    )


def _pharmacy(row: sa.Row[Any]) -> Pharmacy:
    return Pharmacy(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        license_number=row.license_number,
        address=row.address,
        phone=row.phone,
        operating_hours=operating_hours(row.operating_hours),
        time_zone=row.time_zone,
        currency=row.currency,
        verified=bool(row.verified),
        create_time=row.created_at,
        update_time=row.updated_at,
        version=row.version,
    )


async def _one(session: AsyncSession, query: sa.Select[Any]) -> Pharmacy | None:
    row = (await session.execute(query)).first()
    return _pharmacy(row) if row is not None else None


async def get(session: AsyncSession, pharmacy_id: uuid.UUID) -> Pharmacy | None:
    return await _one(session, _query().where(pharmacies.c.id == pharmacy_id))


async def lock(session: AsyncSession, pharmacy_id: uuid.UUID) -> Pharmacy | None:
    return await _one(session, _query().where(pharmacies.c.id == pharmacy_id).with_for_update(of=pharmacies))


async def of_owner(session: AsyncSession, owner_id: uuid.UUID) -> Pharmacy | None:
    return await _one(session, _query().where(pharmacies.c.owner_id == owner_id))


async def lock_owner(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """Serialize the creation of an owner's pharmacy (from the API and from the registration event)."""
    await lock_key(session, f"pharmacy-owner:{owner_id}")


async def lock_license(session: AsyncSession, license_number: str) -> None:
    """Serialize the claims of one license number."""
    await lock_key(session, f"pharmacy-license:{license_number}")


async def license_holder(session: AsyncSession, license_number: str) -> uuid.UUID | None:
    """The owner of the pharmacy that holds the license number, if any."""
    query = sa.select(pharmacies.c.owner_id).where(pharmacies.c.license_number == license_number)
    holder: uuid.UUID | None = (await session.execute(query)).scalar()
    return holder


def _values(changes: PharmacyChanges) -> dict[str, object]:
    return requested(
        changes.requested,
        name=changes.name,
        license_number=changes.license_number,
        address=changes.address,
        phone=changes.phone,
        operating_hours=stored_hours(changes.operating_hours),
        time_zone=changes.time_zone,
        currency=changes.currency,
    )


async def _write(session: AsyncSession, statement: sa.Executable) -> uuid.UUID:
    """Run an insert or update of one pharmacy; a unique constraint it violates is a named error."""
    try:
        pharmacy_id: uuid.UUID = (await session.execute(statement)).scalar_one()
    except IntegrityError as error:
        constraint = violated_constraint(error)
        if constraint == LICENSE_UNIQUE:
            raise LicenseTaken() from None
        if constraint == OWNER_UNIQUE:
            raise PharmacyExists() from None
        raise
    return pharmacy_id


async def insert(session: AsyncSession, owner_id: uuid.UUID, changes: PharmacyChanges) -> Pharmacy:
    """The owner's new pharmacy, with the requested fields (the table's defaults for the others)."""
    statement = (
        sa.insert(pharmacies)
        .values(**_values(changes), id=uuid.uuid4(), owner_id=owner_id, version=1)
        .returning(pharmacies.c.id)
    )
    pharmacy = await get(session, await _write(session, statement))
    assert pharmacy is not None  # written in this transaction
    return pharmacy


async def update(session: AsyncSession, pharmacy_id: uuid.UUID, changes: PharmacyChanges) -> Pharmacy:
    """Write the requested fields as a new version; the pharmacy as it now is."""
    statement = (
        sa.update(pharmacies)
        .where(pharmacies.c.id == pharmacy_id)
        .values(**_values(changes), **new_version(pharmacies))
        .returning(pharmacies.c.id)
    )
    pharmacy = await get(session, await _write(session, statement))
    assert pharmacy is not None  # written in this transaction
    return pharmacy


async def touch(session: AsyncSession, pharmacy_id: uuid.UUID) -> Pharmacy:
    """A new version of a pharmacy whose entry changed elsewhere (its owner's verification)."""
    return await update(session, pharmacy_id, PharmacyChanges())


async def newest(
    session: AsyncSession, *, query: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Pharmacy]:
    select = newest_first(_query(), pharmacies, query=query, after=after, limit=limit)
    return [_pharmacy(row) for row in (await session.execute(select)).all()]
