"""Directory, sessions, overrides, occurrences, appointments and their history; the booking function.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.common.audit import create_audit_table, drop_audit_table
from services.common.event_tables import create_event_tables, drop_event_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# One round trip books a place: lock the occurrence row (created on first use), honour the request
# id, refuse a second active appointment of the patient with the doctor that day, refuse a full
# occurrence, take the lowest free queue number, insert the appointment and its history. Each
# statement of a PL/pgSQL function sees a fresh snapshot under READ COMMITTED, so after waiting for
# the lock it counts the bookings committed meanwhile (a single CTE would not: see
# reference/performance-notes.md). The partial unique indexes stay as the last line of defence.
BOOK_APPOINTMENT = """
CREATE FUNCTION book_appointment(
    p_id uuid, p_session uuid, p_date date, p_patient uuid, p_doctor uuid, p_clinic uuid,
    p_type text, p_complaint text, p_capacity int, p_occurrence_start timestamptz, p_minutes int,
    p_fee numeric, p_currency text, p_booked_by uuid, p_request uuid, p_actor_role text,
    p_rescheduled_from uuid
) RETURNS TABLE (appointment_id uuid, created boolean) LANGUAGE plpgsql AS $$
DECLARE
    v_existing uuid;
    v_number int;
BEGIN
    INSERT INTO occurrences (session_id, date) VALUES (p_session, p_date) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM occurrences o WHERE o.session_id = p_session AND o.date = p_date FOR UPDATE;
    IF p_request IS NOT NULL THEN
        SELECT a.id INTO v_existing FROM appointments a WHERE a.booked_by = p_booked_by AND a.request_id = p_request;
        IF FOUND THEN
            RETURN QUERY SELECT v_existing, false;
            RETURN;
        END IF;
    END IF;
    IF EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.patient_id = p_patient AND a.doctor_id = p_doctor AND a.appointment_date = p_date
          AND a.status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS')
    ) THEN
        RAISE EXCEPTION 'ALREADY_BOOKED' USING ERRCODE = 'P0001';
    END IF;
    SELECT min(n) INTO v_number
    FROM generate_series(1, p_capacity) AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.session_id = p_session AND a.appointment_date = p_date
          AND a.status <> 'CANCELLED' AND a.queue_number = n
    );
    IF v_number IS NULL THEN
        RAISE EXCEPTION 'SESSION_FULL' USING ERRCODE = 'P0001';
    END IF;
    INSERT INTO appointments (
        id, session_id, appointment_date, patient_id, doctor_id, clinic_id, appointment_type, status,
        queue_number, chief_complaint, estimated_start_time, fee, currency, booked_by, request_id,
        rescheduled_from_id, version
    ) VALUES (
        p_id, p_session, p_date, p_patient, p_doctor, p_clinic, p_type, 'BOOKED',
        v_number, p_complaint, p_occurrence_start + (v_number - 1) * p_minutes * interval '1 minute',
        p_fee, p_currency, p_booked_by, p_request, p_rescheduled_from, 1
    );
    INSERT INTO appointment_history (appointment_id, from_status, to_status, actor_id, actor_role)
    VALUES (p_id, NULL, 'BOOKED', p_booked_by, p_actor_role);
    RETURN QUERY SELECT p_id, true;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "affiliations",
        sa.Column("clinic_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "doctor_id"),
    )
    op.create_table(
        "clinics",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("admin_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "doctors",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("first_name", sa.Text(), server_default="", nullable=False),
        sa.Column("last_name", sa.Text(), server_default="", nullable=False),
        sa.Column("specialization", sa.Text(), server_default="", nullable=False),
        sa.Column("consultation_fee", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False),
        sa.Column("currency", sa.Text(), server_default="", nullable=False),
        sa.Column("time_zone", sa.Text(), server_default="", nullable=False),
        sa.Column("offers_virtual", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("clinic_id", sa.UUID(), nullable=True),
        sa.Column("day_of_week", sa.SmallInteger(), nullable=False),
        sa.Column("session_start_time", sa.Time(), nullable=False),
        sa.Column("session_end_time", sa.Time(), nullable=False),
        sa.Column("service_type", sa.Text(), nullable=False),
        sa.Column("max_queue_size", sa.Integer(), nullable=False),
        sa.Column("estimated_consultation_minutes", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("(clinic_id IS NULL) = (service_type = 'VIRTUAL')", name="sessions_clinic_matches_type"),
        sa.CheckConstraint("service_type IN ('VIRTUAL', 'IN_PERSON', 'BOTH')", name="sessions_service_type"),
        sa.CheckConstraint("day_of_week BETWEEN 1 AND 7", name="sessions_day_of_week"),
        sa.CheckConstraint("effective_until IS NULL OR effective_until >= effective_from", name="sessions_effective"),
        sa.CheckConstraint("estimated_consultation_minutes BETWEEN 5 AND 180", name="sessions_minutes"),
        sa.CheckConstraint("max_queue_size BETWEEN 1 AND 100", name="sessions_capacity"),
        sa.CheckConstraint("session_end_time > session_start_time", name="sessions_end_after_start"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("sessions_clinic", "sessions", ["clinic_id"], unique=False)
    op.create_index("sessions_doctor", "sessions", ["doctor_id"], unique=False)
    op.create_table(
        "appointments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("appointment_date", sa.Date(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("clinic_id", sa.UUID(), nullable=True),
        sa.Column("appointment_type", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=False),
        sa.Column("chief_complaint", sa.Text(), server_default="", nullable=False),
        sa.Column("estimated_start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actual_start_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual_end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("doctor_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("fee", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("cancelled_by_role", sa.Text(), server_default="", nullable=False),
        sa.Column("rescheduled_from_id", sa.UUID(), nullable=True),
        sa.Column("video_session_id", sa.UUID(), nullable=True),
        sa.Column("booked_by", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("appointment_type IN ('IN_PERSON', 'VIRTUAL')", name="appointments_type"),
        sa.CheckConstraint(
            "status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW')",
            name="appointments_status",
        ),
        sa.CheckConstraint(
            "actual_end_time IS NULL OR actual_end_time >= actual_start_time", name="appointments_times"
        ),
        sa.CheckConstraint("queue_number >= 1", name="appointments_queue_number"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("appointments_by_date", "appointments", ["appointment_date", "queue_number"], unique=False)
    op.create_index("appointments_doctor", "appointments", ["doctor_id", "appointment_date"], unique=False)
    op.create_index(
        "appointments_one_active_per_day",
        "appointments",
        ["patient_id", "doctor_id", "appointment_date"],
        unique=True,
        postgresql_where=sa.text("status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS')"),
    )
    op.create_index(
        "appointments_one_per_number",
        "appointments",
        ["session_id", "appointment_date", "queue_number"],
        unique=True,
        postgresql_where=sa.text("status <> 'CANCELLED'"),
    )
    op.create_index("appointments_patient", "appointments", ["patient_id", "appointment_date"], unique=False)
    op.create_index(
        "appointments_request_id",
        "appointments",
        ["booked_by", "request_id"],
        unique=True,
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    op.create_table(
        "occurrences",
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "date"),
    )
    op.create_table(
        "session_overrides",
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("max_queue_size", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("max_queue_size IS NULL OR max_queue_size BETWEEN 1 AND 100", name="overrides_capacity"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "date"),
    )
    op.create_table(
        "appointment_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("actor_role", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("appointment_history_appointment", "appointment_history", ["appointment_id", "id"], unique=False)
    op.execute(BOOK_APPOINTMENT)
    create_event_tables()
    create_audit_table()


def downgrade() -> None:
    drop_audit_table()
    drop_event_tables()
    op.execute("DROP FUNCTION book_appointment")
    op.drop_table("appointment_history")
    op.drop_table("session_overrides")
    op.drop_table("occurrences")
    op.drop_table("appointments")
    op.drop_table("sessions")
    op.drop_table("doctors")
    op.drop_table("clinics")
    op.drop_table("affiliations")
    op.drop_table("accounts")
