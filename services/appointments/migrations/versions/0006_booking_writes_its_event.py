"""A booking is one call: the booking function also writes the booked event and returns the appointment.

`book_appointment_with_event` does what `book_appointment` (0001) does (lock the occurrence row,
honour the request id, refuse a second active appointment of the patient with the doctor that day,
refuse a full occurrence, take the lowest free queue number, insert the appointment and its history)
and then writes the `AppointmentChanged` event to the outbox as proto3 JSON (the relay encodes it
with the catalogue's message type) and returns the appointment joined with its session, doctor and
clinic, exactly as the store reads it: one round trip instead of a call, a re-read and an insert.

The JSON is what `messages.appointment_changed` builds from that row (estimated wait, doctor name,
money and times as messages.py renders them; no clinical notes); an integration test compares the
two. The old function stays for replicas of the previous release during a rollout (expand); a later
revision drops it (contract).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Each statement of a PL/pgSQL function sees a fresh snapshot under READ COMMITTED, so after waiting
# for the occurrence's lock it counts the bookings committed meanwhile (a single CTE would not: see
# reference/performance-notes.md). The partial unique indexes stay as the last line of defence.
BOOK_APPOINTMENT_WITH_EVENT = """
CREATE FUNCTION book_appointment_with_event(
    p_session_id uuid, p_appointment_date date, p_patient_id uuid, p_doctor_id uuid, p_clinic_id uuid,
    p_appointment_type text, p_chief_complaint text, p_capacity int, p_occurrence_start timestamptz,
    p_estimated_consultation_minutes int, p_fee numeric, p_currency text, p_booked_by uuid, p_request_id uuid,
    p_actor_role text, p_rescheduled_from_id uuid,
    p_event_id uuid, p_event_subject text, p_event_time timestamptz, p_event_request_id text
) RETURNS TABLE (
    created boolean,
    id uuid, session_id uuid, appointment_date date, patient_id uuid, doctor_id uuid, clinic_id uuid,
    appointment_type text, status text, queue_number int, chief_complaint text,
    estimated_start_time timestamptz, actual_start_time timestamptz, actual_end_time timestamptz,
    doctor_notes text, fee numeric, currency text, cancellation_reason text, cancelled_by_role text,
    rescheduled_from_id uuid, video_session_id uuid, booked_by uuid, request_id uuid, version bigint,
    created_at timestamptz, updated_at timestamptz,
    doctor_first_name text, doctor_last_name text, specialization text, clinic_name text, clinic_admin_id uuid,
    time_zone text, session_start_time time, session_end_time time, estimated_consultation_minutes int
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_id uuid;
    v_created boolean := true;
    v_number int;
BEGIN
    INSERT INTO occurrences (session_id, date) VALUES (p_session_id, p_appointment_date) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM occurrences o WHERE o.session_id = p_session_id AND o.date = p_appointment_date FOR UPDATE;
    IF p_request_id IS NOT NULL THEN
        SELECT a.id INTO v_id FROM appointments a WHERE a.booked_by = p_booked_by AND a.request_id = p_request_id;
        v_created := NOT FOUND;
    END IF;
    IF v_created THEN
        IF EXISTS (
            SELECT 1 FROM appointments a
            WHERE a.patient_id = p_patient_id AND a.doctor_id = p_doctor_id AND a.appointment_date = p_appointment_date
              AND a.status IN ('BOOKED', 'CHECKED_IN', 'IN_PROGRESS')
        ) THEN
            RAISE EXCEPTION 'ALREADY_BOOKED' USING ERRCODE = 'P0001';
        END IF;
        -- The lowest free number: the one owner of this rule (domain/booking.py holds its specification).
        SELECT min(n) INTO v_number
        FROM generate_series(1, p_capacity) AS n
        WHERE NOT EXISTS (
            SELECT 1 FROM appointments a
            WHERE a.session_id = p_session_id AND a.appointment_date = p_appointment_date
              AND a.status <> 'CANCELLED' AND a.queue_number = n
        );
        IF v_number IS NULL THEN
            RAISE EXCEPTION 'SESSION_FULL' USING ERRCODE = 'P0001';
        END IF;
        v_id := gen_random_uuid();
        INSERT INTO appointments (
            id, session_id, appointment_date, patient_id, doctor_id, clinic_id, appointment_type, status,
            queue_number, chief_complaint, estimated_start_time, fee, currency, booked_by, request_id,
            rescheduled_from_id, version
        ) VALUES (
            v_id, p_session_id, p_appointment_date, p_patient_id, p_doctor_id, p_clinic_id, p_appointment_type,
            'BOOKED', v_number, p_chief_complaint,
            p_occurrence_start + (v_number - 1) * p_estimated_consultation_minutes * interval '1 minute',
            p_fee, p_currency, p_booked_by, p_request_id, p_rescheduled_from_id, 1
        );
        INSERT INTO appointment_history (appointment_id, from_status, to_status, actor_id, actor_role)
        VALUES (v_id, NULL, 'BOOKED', p_booked_by, p_actor_role);
    END IF;
    RETURN QUERY
    WITH seen AS (
        SELECT a.id, a.session_id, a.appointment_date, a.patient_id, a.doctor_id, a.clinic_id,
               a.appointment_type, a.status, a.queue_number, a.chief_complaint,
               a.estimated_start_time, a.actual_start_time, a.actual_end_time,
               a.doctor_notes, a.fee, a.currency, a.cancellation_reason, a.cancelled_by_role,
               a.rescheduled_from_id, a.video_session_id, a.booked_by, a.request_id, a.version,
               a.created_at, a.updated_at,
               d.first_name AS doctor_first_name, d.last_name AS doctor_last_name, d.specialization,
               c.name AS clinic_name, c.admin_id AS clinic_admin_id,
               s.time_zone, s.session_start_time, s.session_end_time, s.estimated_consultation_minutes
        FROM appointments a
        JOIN sessions s ON s.id = a.session_id
        LEFT JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN clinics c ON c.id = a.clinic_id
        WHERE a.id = v_id
    ), event AS (
        INSERT INTO outbox (event_id, subject, payload_json)
        -- Times in RFC 3339 (UTC, microseconds), as google.protobuf.Timestamp's JSON mapping reads them.
        SELECT p_event_id, p_event_subject, jsonb_strip_nulls(jsonb_build_object(
            'metadata', jsonb_build_object(
                'eventId', p_event_id,
                'occurTime', to_char(p_event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'actorId', p_booked_by,
                'actorRole', p_actor_role,
                'entityId', seen.id,
                'entityVersion', seen.version::text,
                'requestId', p_event_request_id
            ),
            'appointment', jsonb_build_object(
                'id', seen.id,
                'sessionId', seen.session_id,
                'appointmentDate', seen.appointment_date,
                'patientId', seen.patient_id,
                'doctorId', seen.doctor_id,
                'doctorName', concat_ws(' ', nullif(seen.doctor_first_name, ''), nullif(seen.doctor_last_name, '')),
                'specialization', seen.specialization,
                'clinicId', seen.clinic_id,
                'clinicName', seen.clinic_name,
                'appointmentType', seen.appointment_type,
                'status', seen.status,
                'queueNumber', seen.queue_number,
                'chiefComplaint', seen.chief_complaint,
                'estimatedStartTime',
                    to_char(seen.estimated_start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'estimatedWaitMinutes', greatest(0, floor(extract(epoch FROM
                    (seen.estimated_start_time AT TIME ZONE seen.time_zone)
                    - (seen.appointment_date + seen.session_start_time)) / 60))::int,
                'actualStartTime', to_char(seen.actual_start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'actualEndTime', to_char(seen.actual_end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'fee', seen.fee::text,
                'currency', seen.currency,
                'cancellationReason', seen.cancellation_reason,
                'cancelledByRole', seen.cancelled_by_role,
                'rescheduledFromId', seen.rescheduled_from_id,
                'videoSessionId', seen.video_session_id,
                'timeZone', seen.time_zone,
                'createTime', to_char(seen.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'updateTime', to_char(seen.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            )
        ))
        FROM seen
        WHERE v_created
    )
    SELECT v_created, seen.* FROM seen;
END $$;
"""


def upgrade() -> None:
    op.execute(BOOK_APPOINTMENT_WITH_EVENT)


def downgrade() -> None:
    op.execute("DROP FUNCTION book_appointment_with_event")
