"""Tables of the appointments database: its directory (from events), sessions and appointments."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TZ = sa.DateTime(timezone=True)
ID = UUID(as_uuid=True)


class Base(DeclarativeBase):
    pass


# The directory, fed by auth and profile events (newest version wins).


class Doctor(Base):
    __tablename__ = "doctors"

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.Text, server_default="")
    last_name: Mapped[str] = mapped_column(sa.Text, server_default="")
    specialization: Mapped[str] = mapped_column(sa.Text, server_default="")
    consultation_fee: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), server_default="0")
    currency: Mapped[str] = mapped_column(sa.Text, server_default="")
    time_zone: Mapped[str] = mapped_column(sa.Text, server_default="")
    offers_virtual: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    version: Mapped[int] = mapped_column(sa.BigInteger)


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    admin_id: Mapped[uuid.UUID] = mapped_column(ID)
    name: Mapped[str] = mapped_column(sa.Text)
    time_zone: Mapped[str] = mapped_column(sa.Text)
    currency: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.BigInteger)


class Affiliation(Base):
    __tablename__ = "affiliations"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    status: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.BigInteger)


# Sessions and appointments


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        sa.CheckConstraint("day_of_week BETWEEN 1 AND 7", name="sessions_day_of_week"),
        sa.CheckConstraint("session_end_time > session_start_time", name="sessions_end_after_start"),
        sa.CheckConstraint("max_queue_size BETWEEN 1 AND 100", name="sessions_capacity"),
        sa.CheckConstraint("estimated_consultation_minutes BETWEEN 5 AND 180", name="sessions_minutes"),
        sa.CheckConstraint("service_type IN ('VIRTUAL', 'IN_PERSON', 'BOTH')", name="sessions_service_type"),
        sa.CheckConstraint("(clinic_id IS NULL) = (service_type = 'VIRTUAL')", name="sessions_clinic_matches_type"),
        sa.CheckConstraint("effective_until IS NULL OR effective_until >= effective_from", name="sessions_effective"),
        sa.Index("sessions_doctor", "doctor_id"),
        sa.Index("sessions_clinic", "clinic_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    day_of_week: Mapped[int] = mapped_column(sa.SmallInteger)
    session_start_time: Mapped[time] = mapped_column(sa.Time)
    session_end_time: Mapped[time] = mapped_column(sa.Time)
    service_type: Mapped[str] = mapped_column(sa.Text)
    max_queue_size: Mapped[int] = mapped_column(sa.Integer)
    estimated_consultation_minutes: Mapped[int] = mapped_column(sa.Integer)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    effective_until: Mapped[date | None] = mapped_column(sa.Date)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    time_zone: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[uuid.UUID] = mapped_column(ID)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class SessionOverride(Base):
    __tablename__ = "session_overrides"
    __table_args__ = (
        sa.CheckConstraint("max_queue_size IS NULL OR max_queue_size BETWEEN 1 AND 100", name="overrides_capacity"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("sessions.id"), primary_key=True)
    date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    cancelled: Mapped[bool] = mapped_column(sa.Boolean)
    start_time: Mapped[time | None] = mapped_column(sa.Time)
    end_time: Mapped[time | None] = mapped_column(sa.Time)
    max_queue_size: Mapped[int | None] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.Text, server_default="")


class Occurrence(Base):
    """One row per (session, date) that anyone booked: the row every booking of it locks."""

    __tablename__ = "occurrences"

    session_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("sessions.id"), primary_key=True)
    date: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW')",
            name="appointments_status",
        ),
        sa.CheckConstraint("appointment_type IN ('IN_PERSON', 'VIRTUAL')", name="appointments_type"),
        sa.CheckConstraint("queue_number >= 1", name="appointments_queue_number"),
        sa.CheckConstraint(
            "actual_end_time IS NULL OR actual_end_time >= actual_start_time", name="appointments_times"
        ),
        # Never two place-holding appointments with one queue number in an occurrence.
        sa.Index(
            "appointments_one_per_number",
            "session_id",
            "appointment_date",
            "queue_number",
            unique=True,
            postgresql_where=sa.text("status <> 'CANCELLED'"),
        ),
        # Never two active appointments of one patient with one doctor on one day.
        sa.Index(
            "appointments_one_active_per_day",
            "patient_id",
            "doctor_id",
            "appointment_date",
            unique=True,
            postgresql_where=sa.text("status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS')"),
        ),
        # A repeated request id of one caller is the same booking.
        sa.Index(
            "appointments_request_id",
            "booked_by",
            "request_id",
            unique=True,
            postgresql_where=sa.text("request_id IS NOT NULL"),
        ),
        sa.Index("appointments_by_date", "appointment_date", "queue_number"),
        sa.Index("appointments_patient", "patient_id", "appointment_date"),
        sa.Index("appointments_doctor", "doctor_id", "appointment_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("sessions.id"))
    appointment_date: Mapped[date] = mapped_column(sa.Date)
    patient_id: Mapped[uuid.UUID] = mapped_column(ID)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    appointment_type: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)
    queue_number: Mapped[int] = mapped_column(sa.Integer)
    chief_complaint: Mapped[str] = mapped_column(sa.Text, server_default="")
    estimated_start_time: Mapped[datetime] = mapped_column(TZ)
    actual_start_time: Mapped[datetime | None] = mapped_column(TZ)
    actual_end_time: Mapped[datetime | None] = mapped_column(TZ)
    doctor_notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    fee: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str] = mapped_column(sa.Text)
    cancellation_reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    cancelled_by_role: Mapped[str] = mapped_column(sa.Text, server_default="")
    rescheduled_from_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    video_session_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    booked_by: Mapped[uuid.UUID] = mapped_column(ID)
    request_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class StatusChange(Base):
    __tablename__ = "appointment_history"
    __table_args__ = (sa.Index("appointment_history_appointment", "appointment_id", "id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("appointments.id"))
    from_status: Mapped[str | None] = mapped_column(sa.Text)
    to_status: Mapped[str] = mapped_column(sa.Text)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    actor_role: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    changed_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class CallNextRequest(Base):
    """A call-next request id and the appointment it started (idempotency)."""

    __tablename__ = "call_next_requests"

    doctor_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("appointments.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class ConsultationNotes(Base):
    __tablename__ = "consultation_notes"
    __table_args__ = (sa.Index("consultation_notes_patient", "patient_id"),)

    appointment_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("appointments.id"), primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    patient_id: Mapped[uuid.UUID] = mapped_column(ID)
    chief_complaint: Mapped[str] = mapped_column(sa.Text, server_default="")
    diagnosis: Mapped[str] = mapped_column(sa.Text, server_default="")
    treatment_plan: Mapped[str] = mapped_column(sa.Text, server_default="")
    vital_signs: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    follow_up_required: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    follow_up_in_days: Mapped[int | None] = mapped_column(sa.Integer)
    follow_up_instructions: Mapped[str] = mapped_column(sa.Text, server_default="")
    version: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Addendum(Base):
    __tablename__ = "note_addenda"
    __table_args__ = (sa.Index("note_addenda_appointment", "appointment_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("consultation_notes.appointment_id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ID)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Consent(Base):
    """A patient's consent for a doctor to read notes by other doctors (from profile events)."""

    __tablename__ = "consents"

    patient_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    granted: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.BigInteger)
