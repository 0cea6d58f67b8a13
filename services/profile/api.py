"""The gRPC servicers of pulseone.profile.v1: protobuf in, one call to the service, protobuf out."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from google.protobuf import field_mask_pb2
from pulseone.profile.v1 import profile_pb2, profile_pb2_grpc, resources_pb2

from services.common.context import current_principal
from services.common.validation import parse_uuid
from services.profile import messages
from services.profile.messages import CLINIC_FIELDS, DOCTOR_FIELDS, PATIENT_FIELDS, PHARMACY_FIELDS, PROFILE_FIELDS
from services.profile.service import ProfileService

Context: TypeAlias = grpc.aio.ServicerContext
NO_MASK = field_mask_pb2.FieldMask()


class ProfileApi(profile_pb2_grpc.ProfileServiceServicer):
    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def GetProfile(self, request: profile_pb2.GetProfileRequest, context: Context) -> resources_pb2.Profile:
        row = await self._service.get_profile(current_principal(), parse_uuid(request.user_id, "userId"))
        return messages.profile_message(row, bool(row["verified"]))

    async def UpdateProfile(self, request: profile_pb2.UpdateProfileRequest, context: Context) -> resources_pb2.Profile:
        changes = messages.changes(request.profile, request.update_mask, PROFILE_FIELDS)
        row = await self._service.update_profile(current_principal(), parse_uuid(request.user_id, "userId"), changes)
        return messages.profile_message(row, bool(row["verified"]))

    async def CreateProfile(self, request: profile_pb2.CreateProfileRequest, context: Context) -> resources_pb2.Profile:
        changes = messages.changes(request.profile, NO_MASK, PROFILE_FIELDS)
        row = await self._service.create_profile(current_principal(), request.profile.email, changes)
        return messages.profile_message(row, bool(row["verified"]))


class PatientApi(profile_pb2_grpc.PatientServiceServicer):
    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def GetPatient(self, request: profile_pb2.GetPatientRequest, context: Context) -> resources_pb2.Patient:
        return messages.patient_message(
            await self._service.get_patient(current_principal(), parse_uuid(request.patient_id, "patientId"))
        )

    async def CreatePatient(self, request: profile_pb2.CreatePatientRequest, context: Context) -> resources_pb2.Patient:
        principal = current_principal()
        changes = messages.changes(request.patient, NO_MASK, PATIENT_FIELDS)
        return messages.patient_message(
            await self._service.save_patient(principal, principal.user_id, changes, create=True)
        )

    async def UpdatePatient(self, request: profile_pb2.UpdatePatientRequest, context: Context) -> resources_pb2.Patient:
        patient_id = parse_uuid(request.patient_id, "patientId")
        changes = messages.changes(request.patient, request.update_mask, PATIENT_FIELDS)
        return messages.patient_message(
            await self._service.save_patient(current_principal(), patient_id, changes, create=False)
        )

    async def LookupPatients(
        self, request: profile_pb2.LookupPatientsRequest, context: Context
    ) -> profile_pb2.LookupPatientsResponse:
        found = await self._service.lookup_patients(current_principal(), request.email, request.phone)
        return profile_pb2.LookupPatientsResponse(
            patients=[
                profile_pb2.PatientMatch(id=str(r["id"]), first_name=r["first_name"], last_name=r["last_name"])
                for r in found
            ]
        )

    async def ListConsents(
        self, request: profile_pb2.ListConsentsRequest, context: Context
    ) -> profile_pb2.ListConsentsResponse:
        rows = await self._service.list_consents(current_principal(), parse_uuid(request.patient_id, "patientId"))
        return profile_pb2.ListConsentsResponse(consents=[messages.consent_message(r) for r in rows])

    async def GrantConsent(self, request: profile_pb2.GrantConsentRequest, context: Context) -> resources_pb2.Consent:
        row = await self._service.grant_consent(
            current_principal(), parse_uuid(request.patient_id, "patientId"), parse_uuid(request.doctor_id, "doctorId")
        )
        return messages.consent_message(row)

    async def RevokeConsent(
        self, request: profile_pb2.RevokeConsentRequest, context: Context
    ) -> profile_pb2.RevokeConsentResponse:
        await self._service.revoke_consent(
            current_principal(), parse_uuid(request.patient_id, "patientId"), parse_uuid(request.doctor_id, "doctorId")
        )
        return profile_pb2.RevokeConsentResponse()


class DoctorApi(profile_pb2_grpc.DoctorServiceServicer):
    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def ListDoctors(
        self, request: profile_pb2.ListDoctorsRequest, context: Context
    ) -> profile_pb2.ListDoctorsResponse:
        rows, next_token = await self._service.list_doctors(
            current_principal(),
            specialization=request.specialization,
            clinic_id=parse_uuid(request.clinic_id, "clinicId") if request.clinic_id else None,
            query=request.query,
            verified_only=request.verified_only if request.HasField("verified_only") else None,
            size=request.page_size,
            token=request.page_token,
        )
        return profile_pb2.ListDoctorsResponse(
            doctors=[messages.doctor_message(r, r["clinics"]) for r in rows], next_page_token=next_token
        )

    async def GetDoctor(self, request: profile_pb2.GetDoctorRequest, context: Context) -> resources_pb2.Doctor:
        row = await self._service.get_doctor(current_principal(), parse_uuid(request.doctor_id, "doctorId"))
        return messages.doctor_message(row, row["clinics"])

    async def CreateDoctor(self, request: profile_pb2.CreateDoctorRequest, context: Context) -> resources_pb2.Doctor:
        principal = current_principal()
        changes = messages.changes(request.doctor, NO_MASK, DOCTOR_FIELDS)
        row = await self._service.save_doctor(principal, principal.user_id, changes, create=True)
        return messages.doctor_message(row, row["clinics"])

    async def RateDoctor(self, request: profile_pb2.RateDoctorRequest, context: Context) -> resources_pb2.Rating:
        row = await self._service.rate_doctor(
            current_principal(), parse_uuid(request.doctor_id, "doctorId"), request.rating, request.review
        )
        return messages.rating_message(row)

    async def ListRatings(
        self, request: profile_pb2.ListRatingsRequest, context: Context
    ) -> profile_pb2.ListRatingsResponse:
        rows, next_token = await self._service.list_ratings(
            parse_uuid(request.doctor_id, "doctorId"), request.page_size, request.page_token
        )
        return profile_pb2.ListRatingsResponse(
            ratings=[messages.rating_message(r) for r in rows], next_page_token=next_token
        )

    async def UpdateDoctor(self, request: profile_pb2.UpdateDoctorRequest, context: Context) -> resources_pb2.Doctor:
        changes = messages.changes(request.doctor, request.update_mask, DOCTOR_FIELDS)
        row = await self._service.save_doctor(
            current_principal(), parse_uuid(request.doctor_id, "doctorId"), changes, create=False
        )
        return messages.doctor_message(row, row["clinics"])


class ClinicApi(profile_pb2_grpc.ClinicServiceServicer):
    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def ListClinics(
        self, request: profile_pb2.ListClinicsRequest, context: Context
    ) -> profile_pb2.ListClinicsResponse:
        rows, next_token = await self._service.list_clinics(request.query, request.page_size, request.page_token)
        return profile_pb2.ListClinicsResponse(
            clinics=[messages.clinic_message(r) for r in rows], next_page_token=next_token
        )

    async def GetClinic(self, request: profile_pb2.GetClinicRequest, context: Context) -> resources_pb2.Clinic:
        return messages.clinic_message(await self._service.get_clinic(parse_uuid(request.clinic_id, "clinicId")))

    async def CreateClinic(self, request: profile_pb2.CreateClinicRequest, context: Context) -> resources_pb2.Clinic:
        changes = messages.changes(request.clinic, NO_MASK, CLINIC_FIELDS)
        row = await self._service.create_clinic(current_principal(), request.clinic.admin_id, changes)
        return messages.clinic_message(row)

    async def UpdateClinic(self, request: profile_pb2.UpdateClinicRequest, context: Context) -> resources_pb2.Clinic:
        changes = messages.changes(request.clinic, request.update_mask, CLINIC_FIELDS)
        row = await self._service.update_clinic(current_principal(), parse_uuid(request.clinic_id, "clinicId"), changes)
        return messages.clinic_message(row)

    async def InviteDoctor(
        self, request: profile_pb2.InviteDoctorRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        row = await self._service.invite_doctor(
            current_principal(), parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        )
        return messages.affiliation_message(row)

    async def ConfirmAffiliation(
        self, request: profile_pb2.ConfirmAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        row = await self._service.answer_invitation(
            current_principal(),
            parse_uuid(request.clinic_id, "clinicId"),
            parse_uuid(request.doctor_id, "doctorId"),
            accept=True,
        )
        return messages.affiliation_message(row)

    async def RejectAffiliation(
        self, request: profile_pb2.RejectAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        row = await self._service.answer_invitation(
            current_principal(),
            parse_uuid(request.clinic_id, "clinicId"),
            parse_uuid(request.doctor_id, "doctorId"),
            accept=False,
        )
        return messages.affiliation_message(row)

    async def EndAffiliation(
        self, request: profile_pb2.EndAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        row = await self._service.end_affiliation(
            current_principal(), parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        )
        return messages.affiliation_message(row)

    async def GetAffiliation(
        self, request: profile_pb2.GetAffiliationRequest, context: Context
    ) -> resources_pb2.ClinicDoctor:
        row = await self._service.affiliation(
            current_principal(), parse_uuid(request.clinic_id, "clinicId"), parse_uuid(request.doctor_id, "doctorId")
        )
        return messages.affiliation_message(row)

    async def ListClinicDoctors(
        self, request: profile_pb2.ListClinicDoctorsRequest, context: Context
    ) -> profile_pb2.ListClinicDoctorsResponse:
        rows = await self._service.clinic_doctors(current_principal(), parse_uuid(request.clinic_id, "clinicId"))
        return profile_pb2.ListClinicDoctorsResponse(doctors=[messages.affiliation_message(r) for r in rows])


class PharmacyApi(profile_pb2_grpc.PharmacyServiceServicer):
    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def ListPharmacies(
        self, request: profile_pb2.ListPharmaciesRequest, context: Context
    ) -> profile_pb2.ListPharmaciesResponse:
        rows, next_token = await self._service.list_pharmacies(request.query, request.page_size, request.page_token)
        return profile_pb2.ListPharmaciesResponse(
            pharmacies=[messages.pharmacy_message(r) for r in rows], next_page_token=next_token
        )

    async def GetPharmacy(self, request: profile_pb2.GetPharmacyRequest, context: Context) -> resources_pb2.Pharmacy:
        return messages.pharmacy_message(
            await self._service.get_pharmacy(parse_uuid(request.pharmacy_id, "pharmacyId"))
        )

    async def CreatePharmacy(
        self, request: profile_pb2.CreatePharmacyRequest, context: Context
    ) -> resources_pb2.Pharmacy:
        changes = messages.changes(request.pharmacy, NO_MASK, PHARMACY_FIELDS)
        return messages.pharmacy_message(await self._service.create_pharmacy(current_principal(), changes))

    async def UpdatePharmacy(
        self, request: profile_pb2.UpdatePharmacyRequest, context: Context
    ) -> resources_pb2.Pharmacy:
        changes = messages.changes(request.pharmacy, request.update_mask, PHARMACY_FIELDS)
        row = await self._service.update_pharmacy(
            current_principal(), parse_uuid(request.pharmacy_id, "pharmacyId"), changes
        )
        return messages.pharmacy_message(row)
