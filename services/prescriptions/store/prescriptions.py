"""Prescriptions with their items, and their dispensations. A prescription is read with its items in
one statement (items as JSON), locked the same way, and a dispense is recorded in one statement."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.event_tables import outbox
from services.prescriptions.domain.dispensing import BatchUse, Dispensation, DispensedLine
from services.prescriptions.domain.prescriptions import OPEN, Item, Prescription, Status
from services.prescriptions.store.tables import dispensations, items, prescriptions

REQUEST_ID_INDEX = "prescriptions_request_id"
CODE_INDEX = "prescriptions_dispense_code"
DISPENSE_REQUEST_INDEX = "dispensations_request_id"


class RequestIdTaken(Exception):
    """A concurrent request with the same request id committed first: read what it made."""


class CodeTaken(Exception):
    """The random dispense code is another prescription's: draw another."""


ITEMS: sa.Label[Any] = sa.literal_column(
    "(SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.position), '[]'::jsonb)"
    " FROM prescription_items i WHERE i.prescription_id = prescriptions.id)"
).label("items")


def _query() -> sa.Select[Any]:
    return sa.select(prescriptions, ITEMS)


def _item(data: Mapping[str, Any]) -> Item:
    return Item(
        id=uuid.UUID(data["id"]),
        drug_name=data["drug_name"],
        generic_name=data["generic_name"],
        dosage=data["dosage"],
        frequency=data["frequency"],
        duration=data["duration"],
        quantity=data["quantity"],
        instructions=data["instructions"],
        dispensed_quantity=data["dispensed_quantity"],
    )


def prescription_of(row: Any) -> Prescription:
    return Prescription(
        id=row.id,
        doctor_id=row.doctor_id,
        patient_id=row.patient_id,
        appointment_id=row.appointment_id,
        clinic_id=row.clinic_id,
        issued_at=row.issued_at,
        valid_until=row.valid_until,
        time_zone=row.time_zone,
        status=Status(row.status),
        notes=row.notes,
        dispense_code=row.dispense_code,
        items=tuple(_item(i) for i in row.items),
        cancellation_reason=row.cancellation_reason,
        update_time=row.updated_at,
        version=row.version,
    )


async def _one(session: AsyncSession, query: sa.Select[Any]) -> Prescription | None:
    row = (await session.execute(query)).first()
    return prescription_of(row) if row is not None else None


async def prescription(session: AsyncSession, prescription_id: uuid.UUID, *, lock: bool = False) -> Prescription | None:
    """The prescription; `lock` claims it (FOR UPDATE) until the caller's transaction ends.

    The claim is its own statement: a FOR UPDATE that waited for another transaction returns the
    row's newest version, but the items subquery of the same statement would still read the
    snapshot taken before the wait (the lock-and-pick snapshot trap of performance-notes.md), so a
    second dispense would see the first one's units as still remaining. Read after the lock, the
    items are as the previous holder left them."""
    if lock:
        claimed = sa.select(prescriptions.c.id).where(prescriptions.c.id == prescription_id).with_for_update()
        if (await session.execute(claimed)).first() is None:
            return None
    return await _one(session, _query().where(prescriptions.c.id == prescription_id))


async def issued_with_request(
    session: AsyncSession, doctor_id: uuid.UUID, request_id: uuid.UUID
) -> Prescription | None:
    query = _query().where(prescriptions.c.doctor_id == doctor_id, prescriptions.c.request_id == request_id)
    return await _one(session, query)


async def open_with_code(session: AsyncSession, code: str) -> Prescription | None:
    """The ACTIVE or PARTIALLY_FILLED prescription holding this code (codes are unique)."""
    query = _query().where(prescriptions.c.dispense_code == code, prescriptions.c.status.in_([s.value for s in OPEN]))
    return await _one(session, query)


async def list_prescriptions(
    session: AsyncSession,
    *,
    appointment_id: uuid.UUID | None = None,
    doctor_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Prescription]:
    """Newest first, filtered by every party given."""
    query = _query().order_by(prescriptions.c.issued_at.desc(), prescriptions.c.id.desc()).limit(limit)
    for column, value in (
        (prescriptions.c.appointment_id, appointment_id),
        (prescriptions.c.doctor_id, doctor_id),
        (prescriptions.c.patient_id, patient_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        position = sa.tuple_(prescriptions.c.issued_at, prescriptions.c.id)
        query = query.where(position < sa.tuple_(*map(sa.literal, after)))
    return [prescription_of(row) for row in (await session.execute(query)).all()]


async def insert_prescription(
    session: AsyncSession, prescription: Prescription, request_id: uuid.UUID | None, event: Mapping[str, Any]
) -> None:
    """The prescription, its items and its event; RequestIdTaken or CodeTaken when a unique index says
    so (the caller's transaction is then aborted)."""
    values = {
        "id": prescription.id,
        "doctor_id": prescription.doctor_id,
        "patient_id": prescription.patient_id,
        "appointment_id": prescription.appointment_id,
        "clinic_id": prescription.clinic_id,
        "issued_at": prescription.issued_at,
        "valid_until": prescription.valid_until,
        "time_zone": prescription.time_zone,
        "status": prescription.status.value,
        "notes": prescription.notes,
        "dispense_code": prescription.dispense_code,
        "request_id": request_id,
        "version": prescription.version,
        "updated_at": prescription.update_time,
    }
    try:
        await session.execute(sa.insert(prescriptions).values(**values))
    except IntegrityError as error:
        if REQUEST_ID_INDEX in str(error.orig):
            raise RequestIdTaken from None
        if CODE_INDEX in str(error.orig):
            raise CodeTaken from None
        raise
    rows = [
        {
            "id": item.id,
            "prescription_id": prescription.id,
            "position": position,
            "drug_name": item.drug_name,
            "generic_name": item.generic_name,
            "dosage": item.dosage,
            "frequency": item.frequency,
            "duration": item.duration,
            "quantity": item.quantity,
            "instructions": item.instructions,
            "dispensed_quantity": item.dispensed_quantity,
        }
        for position, item in enumerate(prescription.items)
    ]
    await session.execute(sa.insert(items).values(rows))
    await session.execute(sa.insert(outbox).values(**event))


async def change_status(session: AsyncSession, changed: Prescription, event: Mapping[str, Any]) -> None:
    """Write a status change (the caller holds the row lock and computed `changed`) and its event."""
    statement = (
        sa.update(prescriptions)
        .where(prescriptions.c.id == changed.id, prescriptions.c.version == changed.version - 1)
        .values(
            status=changed.status.value,
            cancellation_reason=changed.cancellation_reason,
            version=changed.version,
            updated_at=changed.update_time,
        )
    )
    result = await session.execute(statement)
    assert result.rowcount == 1, "the prescription changed under its row lock"  # type: ignore[attr-defined]
    await session.execute(sa.insert(outbox).values(**event))


# The dispense's writes in one round trip: the items' dispensed units (their check constraint refuses
# more than prescribed), the prescription's status and version, the dispensation and its event.
RECORD_DISPENSE = sa.text(
    """
    WITH moved AS (
        UPDATE prescription_items i SET dispensed_quantity = i.dispensed_quantity + l.quantity
        FROM unnest(CAST(:item_ids AS uuid[]), CAST(:quantities AS integer[])) AS l(item_id, quantity)
        WHERE i.id = l.item_id AND i.prescription_id = :id
        RETURNING i.id
    ), changed AS (
        UPDATE prescriptions SET status = :status, version = :version, updated_at = :now
        WHERE id = :id AND version = :version - 1
        RETURNING id
    ), kept AS (
        INSERT INTO dispensations (id, prescription_id, pharmacy_id, actor_id, request_id, inventory_key, lines,
                                   cost_total, selling_total, created_at)
        VALUES (:dispensation_id, :id, :pharmacy_id, :actor_id, :request_id, :inventory_key, CAST(:lines AS jsonb),
                :cost_total, :selling_total, :now)
        RETURNING id
    ), published AS (
        INSERT INTO outbox (event_id, subject, payload, trace_context)
        VALUES (:event_id, :subject, :payload, :trace_context)
        RETURNING event_id
    )
    SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM changed) AS changed,
           (SELECT count(*) FROM kept) AS kept, (SELECT count(*) FROM published) AS published
    """
).bindparams(sa.bindparam("trace_context", type_=JSONB))


def _lines_json(dispensation: Dispensation) -> str:
    return json.dumps(
        [
            {
                "itemId": str(line.item_id),
                "catalogItemId": str(line.catalog_item_id),
                "quantity": line.quantity,
                "batches": [
                    {
                        "batchId": str(b.batch_id),
                        "batchNumber": b.batch_number,
                        "expiryDate": b.expiry_date.isoformat(),
                        "quantity": b.quantity,
                    }
                    for b in line.batches
                ],
            }
            for line in dispensation.lines
        ]
    )


async def record_dispense(
    session: AsyncSession,
    after: Prescription,
    dispensation: Dispensation,
    *,
    actor_id: uuid.UUID,
    request_id: uuid.UUID | None,
    inventory_key: uuid.UUID,
    event: Mapping[str, Any],
) -> None:
    """Write a dispense (the caller holds the row lock and computed `after`)."""
    values = {
        "id": after.id,
        "item_ids": [line.item_id for line in dispensation.lines],
        "quantities": [line.quantity for line in dispensation.lines],
        "status": after.status.value,
        "version": after.version,
        "now": dispensation.dispense_time,
        "dispensation_id": dispensation.id,
        "pharmacy_id": dispensation.pharmacy_id,
        "actor_id": actor_id,
        "request_id": request_id,
        "inventory_key": inventory_key,
        "lines": _lines_json(dispensation),
        "cost_total": dispensation.cost_total,
        "selling_total": dispensation.selling_total,
        **event,
    }
    try:
        counts = (await session.execute(RECORD_DISPENSE, values)).one()
    except IntegrityError as error:
        if DISPENSE_REQUEST_INDEX in str(error.orig):
            raise RequestIdTaken from None
        raise
    assert (counts.moved, counts.changed) == (len(dispensation.lines), 1), "the prescription changed under its lock"


def _dispensation_of(row: Any) -> Dispensation:
    lines = tuple(
        DispensedLine(
            uuid.UUID(line["itemId"]),
            uuid.UUID(line["catalogItemId"]),
            line["quantity"],
            tuple(
                BatchUse(uuid.UUID(b["batchId"]), b["batchNumber"], date.fromisoformat(b["expiryDate"]), b["quantity"])
                for b in line["batches"]
            ),
        )
        for line in row.lines
    )
    return Dispensation(
        row.id, row.pharmacy_id, lines, Decimal(row.cost_total), Decimal(row.selling_total), row.created_at
    )


async def dispensation_with_request(
    session: AsyncSession, actor_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[uuid.UUID, Dispensation] | None:
    """The dispensation a request id made, with its prescription's id."""
    query = sa.select(dispensations).where(
        dispensations.c.actor_id == actor_id, dispensations.c.request_id == request_id
    )
    row = (await session.execute(query)).first()
    return (row.prescription_id, _dispensation_of(row)) if row is not None else None
