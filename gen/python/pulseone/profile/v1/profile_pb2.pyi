from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from pulseone.authz.v1 import authz_pb2 as _authz_pb2
from pulseone.profile.v1 import resources_pb2 as _resources_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetProfileRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class UpdateProfileRequest(_message.Message):
    __slots__ = ("user_id", "profile", "update_mask")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    profile: _resources_pb2.Profile
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, user_id: _Optional[str] = ..., profile: _Optional[_Union[_resources_pb2.Profile, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class CreateProfileRequest(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: _resources_pb2.Profile
    def __init__(self, profile: _Optional[_Union[_resources_pb2.Profile, _Mapping]] = ...) -> None: ...

class GetPatientRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class CreatePatientRequest(_message.Message):
    __slots__ = ("patient",)
    PATIENT_FIELD_NUMBER: _ClassVar[int]
    patient: _resources_pb2.Patient
    def __init__(self, patient: _Optional[_Union[_resources_pb2.Patient, _Mapping]] = ...) -> None: ...

class UpdatePatientRequest(_message.Message):
    __slots__ = ("patient_id", "patient", "update_mask")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    patient: _resources_pb2.Patient
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, patient_id: _Optional[str] = ..., patient: _Optional[_Union[_resources_pb2.Patient, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class LookupPatientsRequest(_message.Message):
    __slots__ = ("email", "phone")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    email: str
    phone: str
    def __init__(self, email: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class GetPatientMatchRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class PatientMatch(_message.Message):
    __slots__ = ("id", "first_name", "last_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    first_name: str
    last_name: str
    def __init__(self, id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ...) -> None: ...

class LookupPatientsResponse(_message.Message):
    __slots__ = ("patients",)
    PATIENTS_FIELD_NUMBER: _ClassVar[int]
    patients: _containers.RepeatedCompositeFieldContainer[PatientMatch]
    def __init__(self, patients: _Optional[_Iterable[_Union[PatientMatch, _Mapping]]] = ...) -> None: ...

class ListConsentsRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ListConsentsResponse(_message.Message):
    __slots__ = ("consents",)
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    consents: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Consent]
    def __init__(self, consents: _Optional[_Iterable[_Union[_resources_pb2.Consent, _Mapping]]] = ...) -> None: ...

class GrantConsentRequest(_message.Message):
    __slots__ = ("patient_id", "doctor_id")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    doctor_id: str
    def __init__(self, patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class RevokeConsentRequest(_message.Message):
    __slots__ = ("patient_id", "doctor_id")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    doctor_id: str
    def __init__(self, patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class RevokeConsentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListDoctorsRequest(_message.Message):
    __slots__ = ("specialization", "clinic_id", "query", "verified_only", "page_size", "page_token")
    SPECIALIZATION_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    specialization: str
    clinic_id: str
    query: str
    verified_only: bool
    page_size: int
    page_token: str
    def __init__(self, specialization: _Optional[str] = ..., clinic_id: _Optional[str] = ..., query: _Optional[str] = ..., verified_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDoctorsResponse(_message.Message):
    __slots__ = ("doctors", "next_page_token")
    DOCTORS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    doctors: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Doctor]
    next_page_token: str
    def __init__(self, doctors: _Optional[_Iterable[_Union[_resources_pb2.Doctor, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDoctorRequest(_message.Message):
    __slots__ = ("doctor_id",)
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    def __init__(self, doctor_id: _Optional[str] = ...) -> None: ...

class CreateDoctorRequest(_message.Message):
    __slots__ = ("doctor",)
    DOCTOR_FIELD_NUMBER: _ClassVar[int]
    doctor: _resources_pb2.Doctor
    def __init__(self, doctor: _Optional[_Union[_resources_pb2.Doctor, _Mapping]] = ...) -> None: ...

class UpdateDoctorRequest(_message.Message):
    __slots__ = ("doctor_id", "doctor", "update_mask")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    doctor: _resources_pb2.Doctor
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, doctor_id: _Optional[str] = ..., doctor: _Optional[_Union[_resources_pb2.Doctor, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ListClinicsRequest(_message.Message):
    __slots__ = ("query", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListClinicsResponse(_message.Message):
    __slots__ = ("clinics", "next_page_token")
    CLINICS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    clinics: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Clinic]
    next_page_token: str
    def __init__(self, clinics: _Optional[_Iterable[_Union[_resources_pb2.Clinic, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetClinicRequest(_message.Message):
    __slots__ = ("clinic_id",)
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    def __init__(self, clinic_id: _Optional[str] = ...) -> None: ...

class CreateClinicRequest(_message.Message):
    __slots__ = ("clinic",)
    CLINIC_FIELD_NUMBER: _ClassVar[int]
    clinic: _resources_pb2.Clinic
    def __init__(self, clinic: _Optional[_Union[_resources_pb2.Clinic, _Mapping]] = ...) -> None: ...

class UpdateClinicRequest(_message.Message):
    __slots__ = ("clinic_id", "clinic", "update_mask")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    clinic: _resources_pb2.Clinic
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, clinic_id: _Optional[str] = ..., clinic: _Optional[_Union[_resources_pb2.Clinic, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class InviteDoctorRequest(_message.Message):
    __slots__ = ("clinic_id", "doctor_id")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class ConfirmAffiliationRequest(_message.Message):
    __slots__ = ("clinic_id", "doctor_id")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class RejectAffiliationRequest(_message.Message):
    __slots__ = ("clinic_id", "doctor_id")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class EndAffiliationRequest(_message.Message):
    __slots__ = ("clinic_id", "doctor_id")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class GetAffiliationRequest(_message.Message):
    __slots__ = ("clinic_id", "doctor_id")
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ...) -> None: ...

class ListClinicDoctorsRequest(_message.Message):
    __slots__ = ("clinic_id",)
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    def __init__(self, clinic_id: _Optional[str] = ...) -> None: ...

class ListClinicDoctorsResponse(_message.Message):
    __slots__ = ("doctors",)
    DOCTORS_FIELD_NUMBER: _ClassVar[int]
    doctors: _containers.RepeatedCompositeFieldContainer[_resources_pb2.ClinicDoctor]
    def __init__(self, doctors: _Optional[_Iterable[_Union[_resources_pb2.ClinicDoctor, _Mapping]]] = ...) -> None: ...

class ListPharmaciesRequest(_message.Message):
    __slots__ = ("query", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPharmaciesResponse(_message.Message):
    __slots__ = ("pharmacies", "next_page_token")
    PHARMACIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    pharmacies: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Pharmacy]
    next_page_token: str
    def __init__(self, pharmacies: _Optional[_Iterable[_Union[_resources_pb2.Pharmacy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetPharmacyRequest(_message.Message):
    __slots__ = ("pharmacy_id",)
    PHARMACY_ID_FIELD_NUMBER: _ClassVar[int]
    pharmacy_id: str
    def __init__(self, pharmacy_id: _Optional[str] = ...) -> None: ...

class CreatePharmacyRequest(_message.Message):
    __slots__ = ("pharmacy",)
    PHARMACY_FIELD_NUMBER: _ClassVar[int]
    pharmacy: _resources_pb2.Pharmacy
    def __init__(self, pharmacy: _Optional[_Union[_resources_pb2.Pharmacy, _Mapping]] = ...) -> None: ...

class UpdatePharmacyRequest(_message.Message):
    __slots__ = ("pharmacy_id", "pharmacy", "update_mask")
    PHARMACY_ID_FIELD_NUMBER: _ClassVar[int]
    PHARMACY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    pharmacy_id: str
    pharmacy: _resources_pb2.Pharmacy
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, pharmacy_id: _Optional[str] = ..., pharmacy: _Optional[_Union[_resources_pb2.Pharmacy, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class RateDoctorRequest(_message.Message):
    __slots__ = ("doctor_id", "rating", "review")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    rating: int
    review: str
    def __init__(self, doctor_id: _Optional[str] = ..., rating: _Optional[int] = ..., review: _Optional[str] = ...) -> None: ...

class ListRatingsRequest(_message.Message):
    __slots__ = ("doctor_id", "page_size", "page_token")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    page_size: int
    page_token: str
    def __init__(self, doctor_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRatingsResponse(_message.Message):
    __slots__ = ("ratings", "next_page_token")
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ratings: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Rating]
    next_page_token: str
    def __init__(self, ratings: _Optional[_Iterable[_Union[_resources_pb2.Rating, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
