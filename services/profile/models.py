"""Tables of the profile database. Column names follow the protobuf field names."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TZ = sa.DateTime(timezone=True)
TEXTS = ARRAY(sa.Text)
UUIDS = ARRAY(UUID(as_uuid=True))


class Base(DeclarativeBase):
    pass


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (sa.Index("profiles_phone", "phone_number"), sa.Index("profiles_email", "email"))

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    email: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.Text)
    first_name: Mapped[str] = mapped_column(sa.Text)
    last_name: Mapped[str] = mapped_column(sa.Text)
    phone_number: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    gender: Mapped[str | None] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.Text)
    blood_group: Mapped[str | None] = mapped_column(sa.Text)
    allergies: Mapped[list[str]] = mapped_column(TEXTS, server_default="{}")
    chronic_conditions: Mapped[list[str]] = mapped_column(TEXTS, server_default="{}")
    medical_history: Mapped[str | None] = mapped_column(sa.Text)
    emergency_contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    insurance_provider: Mapped[str | None] = mapped_column(sa.Text)
    preferred_doctor_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS, server_default="{}")
    preferred_clinic_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS, server_default="{}")
    version: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Doctor(Base):
    __tablename__ = "doctors"
    __table_args__ = (
        sa.CheckConstraint("consultation_fee >= 0", name="doctors_fee_not_negative"),
        sa.Index("doctors_specialization", sa.text("lower(specialization)")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    specialization: Mapped[str | None] = mapped_column(sa.Text)
    qualifications: Mapped[list[str]] = mapped_column(TEXTS, server_default="{}")
    license_number: Mapped[str | None] = mapped_column(sa.Text)
    years_of_experience: Mapped[int | None] = mapped_column(sa.Integer)
    bio: Mapped[str | None] = mapped_column(sa.Text)
    consultation_fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(sa.Text)
    time_zone: Mapped[str | None] = mapped_column(sa.Text)
    languages: Mapped[list[str]] = mapped_column(TEXTS, server_default="{}")
    offers_virtual: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    average_rating: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), server_default="0")
    rating_count: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    version: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Clinic(Base):
    __tablename__ = "clinics"
    __table_args__ = (sa.Index("clinics_admin", "admin_id"), sa.Index("clinics_newest", "created_at", "id"))

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    admin_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(sa.Text)
    address: Mapped[str] = mapped_column(sa.Text, server_default="")
    phone: Mapped[str] = mapped_column(sa.Text, server_default="")
    email: Mapped[str] = mapped_column(sa.Text, server_default="")
    time_zone: Mapped[str] = mapped_column(sa.Text)
    currency: Mapped[str] = mapped_column(sa.Text)
    operating_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    departments: Mapped[list[str]] = mapped_column(TEXTS, server_default="{}")
    active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("true"))
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Affiliation(Base):
    __tablename__ = "affiliations"
    __table_args__ = (
        sa.CheckConstraint("status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'ENDED')", name="affiliations_status"),
        sa.Index("affiliations_doctor", "doctor_id"),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("clinics.id"), primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("doctors.id"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.Text)
    invite_time: Mapped[datetime] = mapped_column(TZ)
    respond_time: Mapped[datetime | None] = mapped_column(TZ)
    end_time: Mapped[datetime | None] = mapped_column(TZ)
    version: Mapped[int] = mapped_column(sa.BigInteger)


class Pharmacy(Base):
    __tablename__ = "pharmacies"
    __table_args__ = (sa.Index("pharmacies_newest", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    license_number: Mapped[str] = mapped_column(sa.Text, unique=True)
    address: Mapped[str] = mapped_column(sa.Text, server_default="")
    phone: Mapped[str] = mapped_column(sa.Text, server_default="")
    operating_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    time_zone: Mapped[str | None] = mapped_column(sa.Text)
    currency: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Consent(Base):
    __tablename__ = "consents"

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    grant_time: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    version: Mapped[int] = mapped_column(sa.BigInteger)


class Visit(Base):
    """An appointment between a patient and a doctor, as the appointments service reports it."""

    __tablename__ = "visits"
    __table_args__ = (sa.Index("visits_pair", "patient_id", "doctor_id"),)

    appointment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    doctor_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(TZ)
    ends_at: Mapped[datetime | None] = mapped_column(TZ)
    version: Mapped[int] = mapped_column(sa.BigInteger)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ratings_range"),
        sa.Index("ratings_newest", "doctor_id", "created_at"),
    )

    doctor_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    review: Mapped[str] = mapped_column(sa.Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
