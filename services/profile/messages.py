"""Conversions between protobuf messages and the profile service's domain values, event payloads included."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message
from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.auth.v1 import auth_pb2
from pulseone.profile.v1 import events_pb2, profile_pb2, resources_pb2

from services.common.context import Role
from services.common.timestamps import set_time
from services.common.updates import requested_changes
from services.profile.domain.affiliations import Affiliation
from services.profile.domain.clinics import Clinic, ClinicChanges
from services.profile.domain.consents import Consent
from services.profile.domain.doctors import Doctor, DoctorChanges
from services.profile.domain.field_checks import EmergencyContact, OperatingHours
from services.profile.domain.patients import Patient, PatientChanges, PatientMatch
from services.profile.domain.pharmacies import Pharmacy, PharmacyChanges
from services.profile.domain.profiles import NewProfile, Profile, ProfileChanges
from services.profile.domain.ratings import Rating
from services.profile.domain.visits import Visit

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
NO_MASK = field_mask_pb2.FieldMask()
"""A create sets the fields present in the request."""

DayOfWeek = resources_pb2.OperatingHours.DayOfWeek
Gender = resources_pb2.Patient.Gender


def _requested(message: Message, mask: field_mask_pb2.FieldMask, writable: frozenset[str]) -> frozenset[str]:
    """The fields SPEC 1's update rule says the request sets (a repeated field only when masked)."""
    return frozenset(requested_changes(message, mask, writable))


def _texts(values: Iterable[str], name: str, requested: frozenset[str]) -> tuple[str, ...]:
    """A repeated field's values, when the request sets it."""
    return tuple(values) if name in requested else ()


# Requests → domain values


def profile_changes(message: resources_pb2.Profile, mask: field_mask_pb2.FieldMask = NO_MASK) -> ProfileChanges:
    requested = _requested(message, mask, PROFILE_FIELDS)
    return ProfileChanges(
        requested=requested,
        first_name=message.first_name,
        last_name=message.last_name,
        phone_number=message.phone_number,
    )


def patient_changes(message: resources_pb2.Patient, mask: field_mask_pb2.FieldMask = NO_MASK) -> PatientChanges:
    requested = _requested(message, mask, PATIENT_FIELDS)
    return PatientChanges(
        requested=requested,
        date_of_birth=message.date_of_birth,
        gender=Gender.Name(message.gender) if message.gender else None,
        address=message.address,
        blood_group=message.blood_group,
        allergies=_texts(message.allergies, "allergies", requested),
        chronic_conditions=_texts(message.chronic_conditions, "chronic_conditions", requested),
        medical_history=message.medical_history,
        emergency_contacts=tuple(
            EmergencyContact(name=c.name, relationship=c.relationship, phone=c.phone)
            for c in message.emergency_contacts
        )
        if "emergency_contacts" in requested
        else (),
        insurance_provider=message.insurance_provider,
        preferred_doctor_ids=_texts(message.preferred_doctor_ids, "preferred_doctor_ids", requested),
        preferred_clinic_ids=_texts(message.preferred_clinic_ids, "preferred_clinic_ids", requested),
    )


def doctor_changes(message: resources_pb2.Doctor, mask: field_mask_pb2.FieldMask = NO_MASK) -> DoctorChanges:
    requested = _requested(message, mask, DOCTOR_FIELDS)
    return DoctorChanges(
        requested=requested,
        specialization=message.specialization,
        qualifications=_texts(message.qualifications, "qualifications", requested),
        license_number=message.license_number,
        years_of_experience=message.years_of_experience if "years_of_experience" in requested else None,
        bio=message.bio,
        consultation_fee=message.consultation_fee,
        currency=message.currency,
        time_zone=message.time_zone,
        languages=_texts(message.languages, "languages", requested),
        offers_virtual=message.offers_virtual,
    )


def _operating_hours(
    hours: Iterable[resources_pb2.OperatingHours], requested: frozenset[str]
) -> tuple[OperatingHours, ...]:
    if "operating_hours" not in requested:
        return ()
    return tuple(
        OperatingHours(day_of_week=DayOfWeek.Name(h.day_of_week) if h.day_of_week else "", open=h.open, close=h.close)
        for h in hours
    )


def clinic_changes(message: resources_pb2.Clinic, mask: field_mask_pb2.FieldMask = NO_MASK) -> ClinicChanges:
    requested = _requested(message, mask, CLINIC_FIELDS)
    return ClinicChanges(
        requested=requested,
        name=message.name,
        address=message.address,
        phone=message.phone,
        email=message.email,
        time_zone=message.time_zone,
        currency=message.currency,
        operating_hours=_operating_hours(message.operating_hours, requested),
        departments=_texts(message.departments, "departments", requested),
        active=message.active,
    )


def pharmacy_changes(message: resources_pb2.Pharmacy, mask: field_mask_pb2.FieldMask = NO_MASK) -> PharmacyChanges:
    requested = _requested(message, mask, PHARMACY_FIELDS)
    return PharmacyChanges(
        requested=requested,
        name=message.name,
        license_number=message.license_number,
        address=message.address,
        phone=message.phone,
        operating_hours=_operating_hours(message.operating_hours, requested),
        time_zone=message.time_zone,
        currency=message.currency,
    )


# Domain values → responses


def profile_message(profile: Profile) -> resources_pb2.Profile:
    message = resources_pb2.Profile(
        id=str(profile.id),
        first_name=profile.first_name,
        last_name=profile.last_name,
        phone_number=profile.phone_number,
        email=profile.email,
        role=profile.role.value,
        verified=profile.verified,
    )
    set_time(message.create_time, profile.create_time)
    set_time(message.update_time, profile.update_time)
    return message


def patient_message(patient: Patient) -> resources_pb2.Patient:
    message = resources_pb2.Patient(
        id=str(patient.id),
        date_of_birth=patient.date_of_birth.isoformat() if patient.date_of_birth else "",
        gender=patient.gender or "GENDER_UNSPECIFIED",
        address=patient.address or "",
        blood_group=patient.blood_group or "",
        allergies=patient.allergies,
        chronic_conditions=patient.chronic_conditions,
        medical_history=patient.medical_history or "",
        emergency_contacts=[
            resources_pb2.EmergencyContact(name=c.name, relationship=c.relationship, phone=c.phone)
            for c in patient.emergency_contacts
        ],
        insurance_provider=patient.insurance_provider or "",
        preferred_doctor_ids=[str(i) for i in patient.preferred_doctor_ids],
        preferred_clinic_ids=[str(i) for i in patient.preferred_clinic_ids],
        first_name=patient.first_name,
        last_name=patient.last_name,
    )
    set_time(message.update_time, patient.update_time)
    return message


def patient_match_message(match: PatientMatch) -> profile_pb2.PatientMatch:
    return profile_pb2.PatientMatch(id=str(match.id), first_name=match.first_name, last_name=match.last_name)


def doctor_message(doctor: Doctor) -> resources_pb2.Doctor:
    fee = doctor.consultation_fee
    message = resources_pb2.Doctor(
        id=str(doctor.id),
        first_name=doctor.first_name,
        last_name=doctor.last_name,
        specialization=doctor.specialization or "",
        qualifications=doctor.qualifications,
        license_number=doctor.license_number or "",
        years_of_experience=doctor.years_of_experience or 0,
        bio=doctor.bio or "",
        consultation_fee=f"{fee:.2f}" if fee is not None else "",
        currency=doctor.currency or "",
        time_zone=doctor.time_zone or "",
        languages=doctor.languages,
        offers_virtual=doctor.offers_virtual,
        verified=doctor.verified,
        average_rating=float(doctor.average_rating),
        rating_count=doctor.rating_count,
        clinics=[resources_pb2.ClinicSummary(id=str(c.id), name=c.name) for c in doctor.clinics],
    )
    set_time(message.update_time, doctor.update_time)
    return message


def _hours(hours: tuple[OperatingHours, ...]) -> list[resources_pb2.OperatingHours]:
    return [resources_pb2.OperatingHours(day_of_week=h.day_of_week, open=h.open, close=h.close) for h in hours]


def clinic_message(clinic: Clinic) -> resources_pb2.Clinic:
    message = resources_pb2.Clinic(
        id=str(clinic.id),
        admin_id=str(clinic.admin_id),
        name=clinic.name,
        address=clinic.address,
        phone=clinic.phone,
        email=clinic.email,
        time_zone=clinic.time_zone,
        currency=clinic.currency,
        operating_hours=_hours(clinic.operating_hours),
        departments=clinic.departments,
        active=clinic.active,
    )
    set_time(message.create_time, clinic.create_time)
    set_time(message.update_time, clinic.update_time)
    return message


def pharmacy_message(pharmacy: Pharmacy) -> resources_pb2.Pharmacy:
    message = resources_pb2.Pharmacy(
        id=str(pharmacy.id),
        owner_id=str(pharmacy.owner_id),
        name=pharmacy.name,
        license_number=pharmacy.license_number,
        address=pharmacy.address,
        phone=pharmacy.phone,
        operating_hours=_hours(pharmacy.operating_hours),
        time_zone=pharmacy.time_zone or "",
        currency=pharmacy.currency or "",
        verified=pharmacy.verified,
    )
    set_time(message.create_time, pharmacy.create_time)
    set_time(message.update_time, pharmacy.update_time)
    return message


def affiliation_message(affiliation: Affiliation) -> resources_pb2.ClinicDoctor:
    message = resources_pb2.ClinicDoctor(
        clinic_id=str(affiliation.clinic_id),
        doctor_id=str(affiliation.doctor_id),
        status=affiliation.status.value,
        first_name=affiliation.first_name,
        last_name=affiliation.last_name,
        specialization=affiliation.specialization,
    )
    set_time(message.invite_time, affiliation.invite_time)
    set_time(message.respond_time, affiliation.respond_time)
    set_time(message.end_time, affiliation.end_time)
    return message


def consent_message(consent: Consent) -> resources_pb2.Consent:
    message = resources_pb2.Consent(patient_id=str(consent.patient_id), doctor_id=str(consent.doctor_id))
    set_time(message.grant_time, consent.grant_time)
    return message


def rating_message(rating: Rating) -> resources_pb2.Rating:
    message = resources_pb2.Rating(
        doctor_id=str(rating.doctor_id), patient_id=str(rating.patient_id), rating=rating.rating, review=rating.review
    )
    set_time(message.create_time, rating.create_time)
    set_time(message.update_time, rating.update_time)
    return message


# Events this service publishes


def doctor_updated(doctor: Doctor) -> events_pb2.DoctorUpdated:
    return events_pb2.DoctorUpdated(doctor=doctor_message(doctor))


def clinic_updated(clinic: Clinic) -> events_pb2.ClinicUpdated:
    return events_pb2.ClinicUpdated(clinic=clinic_message(clinic))


def affiliation_updated(affiliation: Affiliation) -> events_pb2.AffiliationUpdated:
    return events_pb2.AffiliationUpdated(affiliation=affiliation_message(affiliation))


def pharmacy_updated(pharmacy: Pharmacy) -> events_pb2.PharmacyUpdated:
    return events_pb2.PharmacyUpdated(pharmacy=pharmacy_message(pharmacy))


def consent_changed(patient_id: uuid.UUID, doctor_id: uuid.UUID, *, granted: bool) -> events_pb2.ConsentChanged:
    return events_pb2.ConsentChanged(patient_id=str(patient_id), doctor_id=str(doctor_id), granted=granted)


def license_changed(user_id: uuid.UUID, license_number: str) -> events_pb2.LicenseChanged:
    return events_pb2.LicenseChanged(user_id=str(user_id), license_number=license_number)


# Events this service consumes


def registered_profile(user: auth_pb2.User) -> NewProfile:
    return NewProfile(
        id=uuid.UUID(user.id),
        email=user.email,
        role=Role(auth_pb2.User.Role.Name(user.role)),
        first_name=user.first_name,
        last_name=user.last_name,
        phone_number=user.phone_number,
    )


def registered_clinic(details: auth_pb2.ClinicDetails) -> ClinicChanges:
    """The clinic a clinic admin registered with (checked by the auth service)."""
    return ClinicChanges(
        requested=frozenset({"name", "address", "phone", "time_zone"}),
        name=details.name,
        address=details.address,
        phone=details.phone,
        time_zone=details.time_zone,
    )


def registered_pharmacy(details: auth_pb2.PharmacyDetails) -> PharmacyChanges:
    """The pharmacy a pharmacy registered with (checked by the auth service)."""
    return PharmacyChanges(
        requested=frozenset({"name", "license_number", "address", "phone"}),
        name=details.name,
        license_number=details.license_number,
        address=details.address,
        phone=details.phone,
    )


def visit(event: appointment_events.AppointmentChanged) -> Visit:
    """The appointment as a visit: when it started (or is estimated to) and ended."""
    appointment = event.appointment
    starts = (
        appointment.actual_start_time if appointment.HasField("actual_start_time") else appointment.estimated_start_time
    )
    return Visit(
        appointment_id=uuid.UUID(appointment.id),
        patient_id=uuid.UUID(appointment.patient_id),
        doctor_id=uuid.UUID(appointment.doctor_id),
        status=appointment_resources.Appointment.Status.Name(appointment.status),
        starts_at=starts.ToDatetime(tzinfo=UTC),
        ends_at=appointment.actual_end_time.ToDatetime(tzinfo=UTC) if appointment.HasField("actual_end_time") else None,
        version=event.metadata.entity_version,
    )
