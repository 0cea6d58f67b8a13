"""Conversions between appointments rows and protobuf messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from pulseone.appointments.v1 import resources_pb2

from services.common.db import Row
from services.common.errors import invalid_field
from services.common.timestamps import set_time

DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def _hm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)


def session_message(row: Row) -> resources_pb2.Session:
    message = resources_pb2.Session(
        id=str(row["id"]),
        doctor_id=str(row["doctor_id"]),
        clinic_id=str(row["clinic_id"]) if row["clinic_id"] else "",
        day_of_week=DAYS[row["day_of_week"] - 1],
        session_start_time=_hm(row["session_start_time"]),
        session_end_time=_hm(row["session_end_time"]),
        service_type=row["service_type"],
        max_queue_size=row["max_queue_size"],
        estimated_consultation_minutes=row["estimated_consultation_minutes"],
        effective_from=_day(row["effective_from"]),
        effective_until=_day(row["effective_until"]),
        active=row["active"],
        time_zone=row["time_zone"],
        fee=f"{row['fee']:.2f}",
        currency=row["currency"] or "",
        doctor_name=_name(row.get("doctor_first_name"), row.get("doctor_last_name")),
        clinic_name=row.get("clinic_name") or "",
    )
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message


def override_message(row: Row) -> resources_pb2.SessionOverride:
    return resources_pb2.SessionOverride(
        session_id=str(row["session_id"]),
        date=_day(row["date"]),
        cancelled=row["cancelled"],
        start_time=_hm(row["start_time"]),
        end_time=_hm(row["end_time"]),
        max_queue_size=row["max_queue_size"] or 0,
        reason=row["reason"],
    )


def occurrence_message(item: Mapping[str, Any]) -> resources_pb2.Occurrence:
    row = item["session"]
    zone_start = item["start"]
    message = resources_pb2.Occurrence(
        session_id=str(row["id"]),
        date=_day(item["date"]),
        doctor_id=str(row["doctor_id"]),
        doctor_name=_name(row.get("doctor_first_name"), row.get("doctor_last_name")),
        clinic_id=str(row["clinic_id"]) if row["clinic_id"] else "",
        clinic_name=row.get("clinic_name") or "",
        service_type=row["service_type"],
        start_time=_local_hm(zone_start, row["time_zone"]),
        end_time=_local_hm(item["end"], row["time_zone"]),
        time_zone=row["time_zone"],
        capacity=item["capacity"],
        booked=item["booked"],
        available=item["available"],
        fee=f"{row['fee']:.2f}",
        currency=row["currency"] or "",
        cancelled=item["cancelled"],
        cancellation_reason=item["reason"] if item["cancelled"] else "",
    )
    set_time(message.estimated_start_time, item["estimated_start"])
    return message


def _local_hm(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - local import keeps the module list short

    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def appointment_message(row: Row, *, with_notes: bool = False) -> resources_pb2.Appointment:
    """The appointment; its clinical doctor notes only when `with_notes` (patient and doctor)."""
    occurrence_start = datetime.combine(row["appointment_date"], row["session_start_time"])
    estimated_local = row["estimated_start_time"]
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    wait = (
        estimated_local.astimezone(ZoneInfo(row["time_zone"])).replace(tzinfo=None) - occurrence_start
    ).total_seconds()
    message = resources_pb2.Appointment(
        id=str(row["id"]),
        session_id=str(row["session_id"]),
        appointment_date=_day(row["appointment_date"]),
        patient_id=str(row["patient_id"]),
        doctor_id=str(row["doctor_id"]),
        doctor_name=_name(row.get("doctor_first_name"), row.get("doctor_last_name")),
        specialization=row.get("specialization") or "",
        clinic_id=str(row["clinic_id"]) if row["clinic_id"] else "",
        clinic_name=row.get("clinic_name") or "",
        appointment_type=row["appointment_type"],
        status=row["status"],
        queue_number=row["queue_number"],
        chief_complaint=row["chief_complaint"],
        estimated_wait_minutes=max(0, int(wait // 60)),
        fee=f"{row['fee']:.2f}",
        currency=row["currency"],
        cancellation_reason=row["cancellation_reason"],
        cancelled_by_role=row["cancelled_by_role"],
        rescheduled_from_id=str(row["rescheduled_from_id"]) if row["rescheduled_from_id"] else "",
        video_session_id=str(row["video_session_id"]) if row["video_session_id"] else "",
        time_zone=row["time_zone"],
        doctor_notes=row["doctor_notes"] if with_notes else "",
    )
    set_time(message.estimated_start_time, row["estimated_start_time"])
    set_time(message.actual_start_time, row["actual_start_time"])
    set_time(message.actual_end_time, row["actual_end_time"])
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message


def status_change_message(row: Row) -> resources_pb2.StatusChange:
    message = resources_pb2.StatusChange(
        from_status=row["from_status"] or "STATUS_UNSPECIFIED",
        to_status=row["to_status"],
        actor_id=str(row["actor_id"]) if row["actor_id"] else "",
        actor_role=row["actor_role"],
        reason=row["reason"],
    )
    set_time(message.change_time, row["changed_at"])
    return message


def queue_entry(row: Row, expected: datetime | None = None) -> resources_pb2.QueueEntry:
    entry = resources_pb2.QueueEntry(
        appointment_id=str(row["id"]),
        queue_number=row["queue_number"],
        patient_id=str(row["patient_id"]),
        status=row["status"],
    )
    set_time(entry.expected_start_time, expected)
    set_time(entry.actual_start_time, row["actual_start_time"])
    return entry


def notes_message(values: Mapping[str, Any]) -> resources_pb2.ConsultationNotes:
    message = resources_pb2.ConsultationNotes(
        appointment_id=str(values["appointment_id"]),
        doctor_id=str(values["doctor_id"]),
        patient_id=str(values["patient_id"]),
        chief_complaint=values["chief_complaint"],
        diagnosis=values["diagnosis"],
        treatment_plan=values["treatment_plan"],
        vital_signs=values["vital_signs"],
        follow_up_required=values["follow_up_required"],
        follow_up_in_days=values["follow_up_in_days"] or 0,
        follow_up_instructions=values["follow_up_instructions"],
        locked=values["locked"],
        addenda=[
            resources_pb2.Addendum(id=str(a["id"]), author_id=str(a["author_id"]), text=a["text"])
            for a in values["addenda"]
        ],
    )
    for addendum, row in zip(message.addenda, values["addenda"], strict=True):
        addendum.create_time.FromDatetime(row["created_at"])
    set_time(message.create_time, values["created_at"])
    set_time(message.update_time, values["updated_at"])
    return message


# Request values


def parse_time(value: str, field: str) -> time:
    """A wall-clock time "HH:MM", or INVALID_ARGUMENT naming the field."""
    try:
        if len(value) == 5:
            return time.fromisoformat(value)
    except ValueError:
        pass
    raise invalid_field(field, "must be a time, HH:MM")


def parse_day(value: str, field: str) -> date:
    """A calendar date "YYYY-MM-DD", or INVALID_ARGUMENT naming the field."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise invalid_field(field, "must be a date, YYYY-MM-DD")


def parse_instant(value: str, field: str) -> datetime:
    """An RFC 3339 time with an offset, as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_field(field, "must be an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise invalid_field(field, "must have a time zone offset")
    return parsed.astimezone(UTC)
