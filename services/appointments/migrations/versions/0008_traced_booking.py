"""The outbox keeps the trace context of what wrote each event, and the booking takes one.

The column is the shared one (services/common/event_tables.py). `book_appointment_with_event` gets
an overload with a trailing `p_trace_context jsonb` that makes the booked event it writes carry that
context (through the column's default), then books exactly as the 0006 version does: a traced
booking is still one round trip. The 0006 version stays, for the previous release during a rollout
and for bookings made while tracing is off, which pay nothing for it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from services.common.event_tables import add_trace_contexts, drop_trace_contexts, traced_overload

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PARAMETERS = """
    p_session_id uuid, p_appointment_date date, p_patient_id uuid, p_doctor_id uuid, p_clinic_id uuid,
    p_appointment_type text, p_chief_complaint text, p_capacity int, p_occurrence_start timestamptz,
    p_estimated_consultation_minutes int, p_fee numeric, p_currency text, p_booked_by uuid, p_request_id uuid,
    p_actor_role text, p_rescheduled_from_id uuid,
    p_event_id uuid, p_event_subject text, p_event_time timestamptz, p_event_request_id text"""

ARGUMENTS = """
    p_session_id => p_session_id, p_appointment_date => p_appointment_date, p_patient_id => p_patient_id,
    p_doctor_id => p_doctor_id, p_clinic_id => p_clinic_id, p_appointment_type => p_appointment_type,
    p_chief_complaint => p_chief_complaint, p_capacity => p_capacity, p_occurrence_start => p_occurrence_start,
    p_estimated_consultation_minutes => p_estimated_consultation_minutes, p_fee => p_fee, p_currency => p_currency,
    p_booked_by => p_booked_by, p_request_id => p_request_id, p_actor_role => p_actor_role,
    p_rescheduled_from_id => p_rescheduled_from_id, p_event_id => p_event_id, p_event_subject => p_event_subject,
    p_event_time => p_event_time, p_event_request_id => p_event_request_id"""

# The same rows as the 0006 version returns.
RETURNS = """TABLE (
    created boolean,
    id uuid, session_id uuid, appointment_date date, patient_id uuid, doctor_id uuid, clinic_id uuid,
    appointment_type text, status text, queue_number int, chief_complaint text,
    estimated_start_time timestamptz, actual_start_time timestamptz, actual_end_time timestamptz,
    doctor_notes text, fee numeric, currency text, cancellation_reason text, cancelled_by_role text,
    rescheduled_from_id uuid, video_session_id uuid, booked_by uuid, request_id uuid, version bigint,
    created_at timestamptz, updated_at timestamptz,
    doctor_first_name text, doctor_last_name text, specialization text, clinic_name text, clinic_admin_id uuid,
    time_zone text, session_start_time time, session_end_time time, estimated_consultation_minutes int
)"""


def upgrade() -> None:
    add_trace_contexts()
    op.execute(traced_overload("book_appointment_with_event", PARAMETERS, ARGUMENTS, RETURNS, returns_set=True))


def downgrade() -> None:
    op.execute(f"DROP FUNCTION book_appointment_with_event({PARAMETERS}, p_trace_context jsonb)")
    drop_trace_contexts()
