"""The gRPC servicers of pulseone.profile.v1: check the request's shape, convert, one use case, convert back."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from pulseone.profile.v1 import profile_pb2, profile_pb2_grpc, resources_pb2

from services.common.context import current_principal
from services.common.fields import parse_uuid
from services.profile import messages
from services.profile.use_cases.affiliations import Affiliations
from services.profile.use_cases.clinics import Clinics
from services.profile.use_cases.consents import Consents
from services.profile.use_cases.doctors import Doctors
from services.profile.use_cases.patients import Patients
from services.profile.use_cases.pharmacies import Pharmacies
from services.profile.use_cases.profiles import Profiles
from services.profile.use_cases.ratings import Ratings

Context: TypeAlias = grpc.aio.ServicerContext


class ProfileApi(profile_pb2_grpc.ProfileServiceServicer):
    def __init__(self, profiles: Profiles) -> None:
        self._profiles = profiles

    async def GetProfile(self, request: profile_pb2.GetProfileRequest, context: Context) -> resources_pb2.Profile:
        profile = await self._profiles.get(current_principal(), parse_uuid(request.user_id, "userId"))
        return messages.profile_message(profile)

    async def UpdateProfile(self, request: profile_pb2.UpdateProfileRequest, context: Context) -> resources_pb2.Profile:
        changes = messages.profile_changes(request.profile, request.update_mask)
        user_id = parse_uuid(request.user_id, "userId")
        return messages.profile_message(await self._profiles.update(current_principal(), user_id, changes))

    async def CreateProfile(self, request: profile_pb2.CreateProfileRequest, context: Context) -> resources_pb2.Profile:
        changes = messages.profile_changes(request.profile)
        profile = await self._profiles.create(current_principal(), request.profile.email, changes)
        return messages.profile_message(profile)


class PatientApi(profile_pb2_grpc.PatientServiceServicer):
    def __init__(self, patients: Patients, consents: Consents) -> None:
        self._patients = patients
        self._consents = consents

    async def GetPatient(self, request: profile_pb2.GetPatientRequest, context: Context) -> resources_pb2.Patient:
        patient = await self._patients.get(current_principal(), parse_uuid(request.patient_id, "patientId"))
        return messages.patient_message(patient)

    async def CreatePatient(self, request: profile_pb2.CreatePatientRequest, context: Context) -> resources_pb2.Patient:
        changes = messages.patient_changes(request.patient)
        return messages.patient_message(await self._patients.create(current_principal(), changes))

    async def UpdatePatient(self, request: profile_pb2.UpdatePatientRequest, context: Context) -> resources_pb2.Patient:
        patient_id = parse_uuid(request.patient_id, "patientId")
        changes = messages.patient_changes(request.patient, request.update_mask)
        return messages.patient_message(await self._patients.update(current_principal(), patient_id, changes))

    async def LookupPatients(
        self, request: profile_pb2.LookupPatientsRequest, context: Context
    ) -> profile_pb2.LookupPatientsResponse:
        found = await self._patients.lookup(request.email, request.phone)
        return profile_pb2.LookupPatientsResponse(patients=[messages.patient_match_message(m) for m in found])

    async def GetPatientMatch(
        self, request: profile_pb2.GetPatientMatchRequest, context: Context
    ) -> profile_pb2.PatientMatch:
        found = await self._patients.match(parse_uuid(request.patient_id, "patientId"))
        return messages.patient_match_message(found)

    async def ListConsents(
        self, request: profile_pb2.ListConsentsRequest, context: Context
    ) -> profile_pb2.ListConsentsResponse:
        found = await self._consents.of_patient(current_principal(), parse_uuid(request.patient_id, "patientId"))
        return profile_pb2.ListConsentsResponse(consents=[messages.consent_message(c) for c in found])

    async def GrantConsent(self, request: profile_pb2.GrantConsentRequest, context: Context) -> resources_pb2.Consent:
        patient_id = parse_uuid(request.patient_id, "patientId")
        doctor_id = parse_uuid(request.doctor_id, "doctorId")
        return messages.consent_message(await self._consents.grant(current_principal(), patient_id, doctor_id))

    async def RevokeConsent(
        self, request: profile_pb2.RevokeConsentRequest, context: Context
    ) -> profile_pb2.RevokeConsentResponse:
        patient_id = parse_uuid(request.patient_id, "patientId")
        doctor_id = parse_uuid(request.doctor_id, "doctorId")
        await self._consents.revoke(current_principal(), patient_id, doctor_id)
        return profile_pb2.RevokeConsentResponse()


class DoctorApi(profile_pb2_grpc.DoctorServiceServicer):
    def __init__(self, doctors: Doctors, ratings: Ratings) -> None:
        self._doctors = doctors
        self._ratings = ratings

    async def ListDoctors(
        self, request: profile_pb2.ListDoctorsRequest, context: Context
    ) -> profile_pb2.ListDoctorsResponse:
        page = await self._doctors.search(
            current_principal(),
            specialization=request.specialization,
            clinic_id=parse_uuid(request.clinic_id, "clinicId") if request.clinic_id else None,
            query=request.query,
            verified_only=request.verified_only if request.HasField("verified_only") else None,
            size=request.page_size,
            token=request.page_token,
        )
        return profile_pb2.ListDoctorsResponse(
            doctors=[messages.doctor_message(d) for d in page.items], next_page_token=page.next_page_token
        )

    async def GetDoctor(self, request: profile_pb2.GetDoctorRequest, context: Context) -> resources_pb2.Doctor:
        doctor = await self._doctors.get(current_principal(), parse_uuid(request.doctor_id, "doctorId"))
        return messages.doctor_message(doctor)

    async def CreateDoctor(self, request: profile_pb2.CreateDoctorRequest, context: Context) -> resources_pb2.Doctor:
        changes = messages.doctor_changes(request.doctor)
        return messages.doctor_message(await self._doctors.create(current_principal(), changes))

    async def UpdateDoctor(self, request: profile_pb2.UpdateDoctorRequest, context: Context) -> resources_pb2.Doctor:
        changes = messages.doctor_changes(request.doctor, request.update_mask)
        doctor_id = parse_uuid(request.doctor_id, "doctorId")
        return messages.doctor_message(await self._doctors.update(current_principal(), doctor_id, changes))

    async def RateDoctor(self, request: profile_pb2.RateDoctorRequest, context: Context) -> resources_pb2.Rating:
        doctor_id = parse_uuid(request.doctor_id, "doctorId")
        rating = await self._ratings.rate(current_principal(), doctor_id, request.rating, request.review)
        return messages.rating_message(rating)

    async def ListRatings(
        self, request: profile_pb2.ListRatingsRequest, context: Context
    ) -> profile_pb2.ListRatingsResponse:
        doctor_id = parse_uuid(request.doctor_id, "doctorId")
        page = await self._ratings.of_doctor(doctor_id, request.page_size, request.page_token)
        return profile_pb2.ListRatingsResponse(
            ratings=[messages.rating_message(r) for r in page.items], next_page_token=page.next_page_token
        )


class ClinicApi(profile_pb2_grpc.ClinicServiceServicer):
    def __init__(self, clinics: Clinics, affiliations: Affiliations) -> None:
        self._clinics = clinics
        self._affiliations = affiliations

    async def ListClinics(
        self, request: profile_pb2.ListClinicsRequest, context: Context
    ) -> profile_pb2.ListClinicsResponse:
        page = await self._clinics.search(request.query, request.page_size, request.page_token)
        return profile_pb2.ListClinicsResponse(
            clinics=[messages.clinic_message(c) for c in page.items], next_page_token=page.next_page_token
        )

    async def GetClinic(self, request: profile_pb2.GetClinicRequest, context: Context) -> resources_pb2.Clinic:
        return messages.clinic_message(await self._clinics.get(parse_uuid(request.clinic_id, "clinicId")))

    async def CreateClinic(self, request: profile_pb2.CreateClinicRequest, context: Context) -> resources_pb2.Clinic:
        changes = messages.clinic_changes(request.clinic)
        clinic = await self._clinics.create(current_principal(), request.clinic.admin_id, changes)
        return messages.clinic_message(clinic)

    async def UpdateClinic(self, request: profile_pb2.UpdateClinicRequest, context: Context) -> resources_pb2.Clinic:
        changes = messages.clinic_changes(request.clinic, request.update_mask)
        clinic_id = parse_uuid(request.clinic_id, "clinicId")
        return messages.clinic_message(await self._clinics.update(current_principal(), clinic_id, changes))

    async def InviteDoctor(
        self, request: profile_pb2.InviteDoctorRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        clinic_id, doctor_id = parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        return messages.affiliation_message(await self._affiliations.invite(current_principal(), clinic_id, doctor_id))

    async def ConfirmAffiliation(
        self, request: profile_pb2.ConfirmAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        clinic_id, doctor_id = parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        return messages.affiliation_message(await self._affiliations.confirm(current_principal(), clinic_id, doctor_id))

    async def RejectAffiliation(
        self, request: profile_pb2.RejectAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        clinic_id, doctor_id = parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        return messages.affiliation_message(await self._affiliations.reject(current_principal(), clinic_id, doctor_id))

    async def EndAffiliation(
        self, request: profile_pb2.EndAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        clinic_id, doctor_id = parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        return messages.affiliation_message(await self._affiliations.end(current_principal(), clinic_id, doctor_id))

    async def GetAffiliation(
        self, request: profile_pb2.GetAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        clinic_id, doctor_id = parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        return messages.affiliation_message(await self._affiliations.get(current_principal(), clinic_id, doctor_id))

    async def ListClinicDoctors(
        self, request: profile_pb2.ListClinicDoctorsRequest, context: Context
    ) -> profile_pb2.ListClinicDoctorsResponse:
        found = await self._affiliations.of_clinic(current_principal(), parse_uuid(request.clinic_id, "clinicId"))
        return profile_pb2.ListClinicDoctorsResponse(doctors=[messages.affiliation_message(a) for a in found])


class PharmacyApi(profile_pb2_grpc.PharmacyServiceServicer):
    def __init__(self, pharmacies: Pharmacies) -> None:
        self._pharmacies = pharmacies

    async def ListPharmacies(
        self, request: profile_pb2.ListPharmaciesRequest, context: Context
    ) -> profile_pb2.ListPharmaciesResponse:
        page = await self._pharmacies.search(request.query, request.page_size, request.page_token)
        return profile_pb2.ListPharmaciesResponse(
            pharmacies=[messages.pharmacy_message(p) for p in page.items], next_page_token=page.next_page_token
        )

    async def GetPharmacy(self, request: profile_pb2.GetPharmacyRequest, context: Context) -> resources_pb2.Pharmacy:
        return messages.pharmacy_message(await self._pharmacies.get(parse_uuid(request.pharmacy_id, "pharmacyId")))

    async def CreatePharmacy(
        self, request: profile_pb2.CreatePharmacyRequest, context: Context
    ) -> resources_pb2.Pharmacy:
        changes = messages.pharmacy_changes(request.pharmacy)
        return messages.pharmacy_message(await self._pharmacies.create(current_principal(), changes))

    async def UpdatePharmacy(
        self, request: profile_pb2.UpdatePharmacyRequest, context: Context
    ) -> resources_pb2.Pharmacy:
        changes = messages.pharmacy_changes(request.pharmacy, request.update_mask)
        pharmacy_id = parse_uuid(request.pharmacy_id, "pharmacyId")
        return messages.pharmacy_message(await self._pharmacies.update(current_principal(), pharmacy_id, changes))
