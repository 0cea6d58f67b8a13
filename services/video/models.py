"""Tables of the video database: sessions with their two participants (one row: the doctor and the
patient are columns, so one row lock covers a session and both presences) and their recording."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TZ = sa.DateTime(timezone=True)
ID = UUID(as_uuid=True)


class Base(DeclarativeBase):
    pass


class VideoSession(Base):
    __tablename__ = "video_sessions"
    __table_args__ = (
        sa.CheckConstraint("status IN ('SCHEDULED', 'ACTIVE', 'COMPLETED', 'CANCELLED')", name="video_sessions_status"),
        sa.CheckConstraint(
            "recording_status IN ('NOT_STARTED', 'RECORDING', 'STOPPED', 'FAILED')",
            name="video_sessions_recording_status",
        ),
        sa.Index(
            "video_sessions_appointment",
            "appointment_id",
            unique=True,
            postgresql_where=sa.text("appointment_id IS NOT NULL"),
        ),
        sa.Index("video_sessions_doctor", "doctor_id", "created_at", "id"),
        sa.Index("video_sessions_patient", "patient_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    status: Mapped[str] = mapped_column(sa.Text)
    scheduled_start_time: Mapped[datetime] = mapped_column(TZ)
    start_time: Mapped[datetime | None] = mapped_column(TZ)
    end_time: Mapped[datetime | None] = mapped_column(TZ)
    cancellation_reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    doctor_id: Mapped[uuid.UUID] = mapped_column(ID)
    doctor_present: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    doctor_join_time: Mapped[datetime | None] = mapped_column(TZ)
    doctor_leave_time: Mapped[datetime | None] = mapped_column(TZ)
    doctor_consent: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    patient_id: Mapped[uuid.UUID] = mapped_column(ID)
    patient_present: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    patient_join_time: Mapped[datetime | None] = mapped_column(TZ)
    patient_leave_time: Mapped[datetime | None] = mapped_column(TZ)
    patient_consent: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    recording_status: Mapped[str] = mapped_column(sa.Text, server_default="NOT_STARTED")
    recording_started_at: Mapped[datetime | None] = mapped_column(TZ)
    recording_duration_seconds: Mapped[float] = mapped_column(sa.Float, server_default="0")
    recording_size_bytes: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    recording_frames: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    recording_content_type: Mapped[str] = mapped_column(sa.Text, server_default="")
    recording_file: Mapped[str] = mapped_column(sa.Text, server_default="", comment="name in the recordings store")
    version: Mapped[int] = mapped_column(sa.BigInteger, server_default="1")
    appointment_version: Mapped[int] = mapped_column(
        sa.BigInteger, server_default="0", comment="version of the newest appointment event applied"
    )
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)


class CancelledAppointment(Base):
    """Tombstones: a booking event arriving after its cancellation makes no session."""

    __tablename__ = "cancelled_appointments"
    __table_args__ = ({"comment": "tombstones: a booking event arriving after its cancellation makes no session"},)

    appointment_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger)
