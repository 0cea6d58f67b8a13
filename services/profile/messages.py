"""Conversions between profile rows (mappings keyed by column name) and protobuf messages."""

from __future__ import annotations

from typing import Any

from google.protobuf import field_mask_pb2
from google.protobuf.json_format import MessageToDict
from pulseone.profile.v1 import resources_pb2

from services.common.db import Row
from services.common.timestamps import set_time
from services.common.updates import requested_changes

PROFILE_FIELDS = frozenset({"first_name", "last_name", "phone_number"})
PATIENT_FIELDS = frozenset(
    {
        "date_of_birth", "gender", "address", "blood_group", "allergies", "chronic_conditions", "medical_history",
        "emergency_contacts", "insurance_provider", "preferred_doctor_ids", "preferred_clinic_ids",
    }
)  # fmt: skip
DOCTOR_FIELDS = frozenset(
    {
        "specialization", "qualifications", "license_number", "years_of_experience", "bio", "consultation_fee",
        "currency", "time_zone", "languages", "offers_virtual",
    }
)  # fmt: skip
CLINIC_FIELDS = frozenset(
    {"name", "address", "phone", "email", "time_zone", "currency", "operating_hours", "departments", "active"}
)
PHARMACY_FIELDS = frozenset({"name", "license_number", "address", "phone", "operating_hours", "time_zone", "currency"})


def _plain(value: Any) -> Any:
    """Messages become JSON-shaped dicts, enums their names, repeated fields lists."""
    if hasattr(value, "DESCRIPTOR"):
        return MessageToDict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def changes(message: Any, mask: field_mask_pb2.FieldMask, writable: frozenset[str]) -> dict[str, Any]:
    found = requested_changes(message, mask, writable)
    plain = {name: _plain(value) for name, value in found.items()}
    for name, field in message.DESCRIPTOR.fields_by_name.items():
        if name in plain and field.enum_type is not None and not field.is_repeated:
            plain[name] = field.enum_type.values_by_number[plain[name]].name if plain[name] else None
    return plain


def profile_message(row: Row, verified: bool) -> resources_pb2.Profile:
    message = resources_pb2.Profile(
        id=str(row["id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        phone_number=row["phone_number"],
        email=row["email"],
        role=row["role"],
        verified=verified,
    )
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message


def patient_message(row: Row) -> resources_pb2.Patient:
    message = resources_pb2.Patient(
        id=str(row["id"]),
        date_of_birth=row["date_of_birth"].isoformat() if row["date_of_birth"] else "",
        gender=row["gender"] or "GENDER_UNSPECIFIED",
        address=row["address"] or "",
        blood_group=row["blood_group"] or "",
        allergies=row["allergies"],
        chronic_conditions=row["chronic_conditions"],
        medical_history=row["medical_history"] or "",
        emergency_contacts=[resources_pb2.EmergencyContact(**c) for c in row["emergency_contacts"]],
        insurance_provider=row["insurance_provider"] or "",
        preferred_doctor_ids=[str(i) for i in row["preferred_doctor_ids"]],
        preferred_clinic_ids=[str(i) for i in row["preferred_clinic_ids"]],
        first_name=row.get("first_name") or "",
        last_name=row.get("last_name") or "",
    )
    set_time(message.update_time, row["updated_at"])
    return message


def doctor_message(row: Row, clinics: list[Row] | None = None) -> resources_pb2.Doctor:
    fee = row["consultation_fee"]
    message = resources_pb2.Doctor(
        id=str(row["id"]),
        first_name=row.get("first_name") or "",
        last_name=row.get("last_name") or "",
        specialization=row["specialization"] or "",
        qualifications=row["qualifications"],
        license_number=row["license_number"] or "",
        years_of_experience=row["years_of_experience"] or 0,
        bio=row["bio"] or "",
        consultation_fee=f"{fee:.2f}" if fee is not None else "",
        currency=row["currency"] or "",
        time_zone=row["time_zone"] or "",
        languages=row["languages"],
        offers_virtual=row["offers_virtual"],
        verified=bool(row.get("verified")),
        average_rating=float(row["average_rating"]),
        rating_count=row["rating_count"],
        clinics=[resources_pb2.ClinicSummary(id=str(c["id"]), name=c["name"]) for c in clinics or ()],
    )
    set_time(message.update_time, row["updated_at"])
    return message


def _hours(entries: list[dict[str, Any]]) -> list[resources_pb2.OperatingHours]:
    return [resources_pb2.OperatingHours(day_of_week=e["dayOfWeek"], open=e["open"], close=e["close"]) for e in entries]


def clinic_message(row: Row) -> resources_pb2.Clinic:
    message = resources_pb2.Clinic(
        id=str(row["id"]),
        admin_id=str(row["admin_id"]),
        name=row["name"],
        address=row["address"],
        phone=row["phone"],
        email=row["email"],
        time_zone=row["time_zone"],
        currency=row["currency"],
        operating_hours=_hours(row["operating_hours"]),
        departments=row["departments"],
        active=row["active"],
    )
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message


def pharmacy_message(row: Row) -> resources_pb2.Pharmacy:
    message = resources_pb2.Pharmacy(
        id=str(row["id"]),
        owner_id=str(row["owner_id"]),
        name=row["name"],
        license_number=row["license_number"],
        address=row["address"],
        phone=row["phone"],
        operating_hours=_hours(row["operating_hours"]),
        time_zone=row["time_zone"] or "",
        currency=row["currency"] or "",
        verified=bool(row.get("verified")),
    )
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message


def affiliation_message(row: Row) -> resources_pb2.ClinicDoctor:
    message = resources_pb2.ClinicDoctor(
        clinic_id=str(row["clinic_id"]),
        doctor_id=str(row["doctor_id"]),
        status=row["status"],
        first_name=row.get("first_name") or "",
        last_name=row.get("last_name") or "",
        specialization=row.get("specialization") or "",
    )
    set_time(message.invite_time, row["invite_time"])
    set_time(message.respond_time, row["respond_time"])
    set_time(message.end_time, row["end_time"])
    return message


def consent_message(row: Row) -> resources_pb2.Consent:
    message = resources_pb2.Consent(patient_id=str(row["patient_id"]), doctor_id=str(row["doctor_id"]))
    set_time(message.grant_time, row["grant_time"])
    return message


def rating_message(row: Row) -> resources_pb2.Rating:
    message = resources_pb2.Rating(
        doctor_id=str(row["doctor_id"]), patient_id=str(row["patient_id"]), rating=row["rating"], review=row["review"]
    )
    set_time(message.create_time, row["created_at"])
    set_time(message.update_time, row["updated_at"])
    return message
