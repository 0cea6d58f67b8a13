"""Tables of the prescriptions database: the appointments projection, prescriptions, their items and
their dispensations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TZ = sa.DateTime(timezone=True)
ID = UUID(as_uuid=True)
MONEY = sa.Numeric(12, 2)


class Base(DeclarativeBase):
    pass


class Appointment(Base):
    """What prescribing needs of every appointment, as appointment events describe it (newest wins)."""

    __tablename__ = "appointments"

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    patient_id: Mapped[uuid.UUID] = mapped_column(ID)
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    status: Mapped[str] = mapped_column(sa.Text)
    time_zone: Mapped[str] = mapped_column(sa.Text, server_default="UTC")
    version: Mapped[int] = mapped_column(
        sa.BigInteger, comment="0: re-read from the appointments service, not an event"
    )


class Prescription(Base):
    __tablename__ = "prescriptions"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED')", name="prescriptions_status"
        ),
        sa.Index("prescriptions_dispense_code", "dispense_code", unique=True),
        sa.Index(
            "prescriptions_request_id",
            "doctor_id",
            "request_id",
            unique=True,
            postgresql_where=sa.text("request_id IS NOT NULL"),
        ),
        sa.Index("prescriptions_appointment", "appointment_id", "issued_at", "id"),
        sa.Index("prescriptions_doctor", "doctor_id", "issued_at", "id"),
        sa.Index("prescriptions_patient", "patient_id", "issued_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    patient_id: Mapped[uuid.UUID] = mapped_column(ID)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ID)
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    issued_at: Mapped[datetime] = mapped_column(TZ)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    time_zone: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    dispense_code: Mapped[str] = mapped_column(sa.Text)
    cancellation_reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    request_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    version: Mapped[int] = mapped_column(sa.BigInteger, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(TZ)


class PrescriptionItem(Base):
    __tablename__ = "prescription_items"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="prescription_items_quantity"),
        sa.CheckConstraint(
            "dispensed_quantity >= 0 AND dispensed_quantity <= quantity", name="prescription_items_dispensed"
        ),
        sa.UniqueConstraint("prescription_id", "position", name="prescription_items_position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("prescriptions.id"))
    position: Mapped[int] = mapped_column(sa.Integer)
    drug_name: Mapped[str] = mapped_column(sa.Text)
    generic_name: Mapped[str | None] = mapped_column(sa.Text)
    dosage: Mapped[str] = mapped_column(sa.Text)
    frequency: Mapped[str | None] = mapped_column(sa.Text)
    duration: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    instructions: Mapped[str | None] = mapped_column(sa.Text)
    dispensed_quantity: Mapped[int] = mapped_column(sa.Integer, server_default="0")


class Dispensation(Base):
    """One dispense of a prescription from a pharmacy's stock, kept so a retry returns it."""

    __tablename__ = "dispensations"
    __table_args__ = (
        sa.Index(
            "dispensations_request_id",
            "actor_id",
            "request_id",
            unique=True,
            postgresql_where=sa.text("request_id IS NOT NULL"),
        ),
        sa.Index("dispensations_prescription", "prescription_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("prescriptions.id"))
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ID)
    actor_id: Mapped[uuid.UUID] = mapped_column(ID)
    request_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    inventory_key: Mapped[uuid.UUID] = mapped_column(ID, unique=True, comment="the idempotency key inventory got")
    lines: Mapped[list[dict[str, object]]] = mapped_column(JSONB)
    cost_total: Mapped[Decimal] = mapped_column(MONEY)
    selling_total: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(TZ)
