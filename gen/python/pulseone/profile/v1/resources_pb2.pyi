import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Profile(_message.Message):
    __slots__ = ("id", "first_name", "last_name", "phone_number", "email", "role", "verified", "create_time", "update_time")
    class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ROLE_UNSPECIFIED: _ClassVar[Profile.Role]
        PATIENT: _ClassVar[Profile.Role]
        DOCTOR: _ClassVar[Profile.Role]
        CLINIC_ADMIN: _ClassVar[Profile.Role]
        PHARMACY: _ClassVar[Profile.Role]
        SYSTEM_ADMIN: _ClassVar[Profile.Role]
    ROLE_UNSPECIFIED: Profile.Role
    PATIENT: Profile.Role
    DOCTOR: Profile.Role
    CLINIC_ADMIN: Profile.Role
    PHARMACY: Profile.Role
    SYSTEM_ADMIN: Profile.Role
    ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    first_name: str
    last_name: str
    phone_number: str
    email: str
    role: Profile.Role
    verified: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., phone_number: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[_Union[Profile.Role, str]] = ..., verified: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EmergencyContact(_message.Message):
    __slots__ = ("name", "relationship", "phone")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    name: str
    relationship: str
    phone: str
    def __init__(self, name: _Optional[str] = ..., relationship: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class Patient(_message.Message):
    __slots__ = ("id", "date_of_birth", "gender", "address", "blood_group", "allergies", "chronic_conditions", "medical_history", "emergency_contacts", "insurance_provider", "preferred_doctor_ids", "preferred_clinic_ids", "first_name", "last_name", "update_time")
    class Gender(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        GENDER_UNSPECIFIED: _ClassVar[Patient.Gender]
        FEMALE: _ClassVar[Patient.Gender]
        MALE: _ClassVar[Patient.Gender]
        OTHER: _ClassVar[Patient.Gender]
        UNDISCLOSED: _ClassVar[Patient.Gender]
    GENDER_UNSPECIFIED: Patient.Gender
    FEMALE: Patient.Gender
    MALE: Patient.Gender
    OTHER: Patient.Gender
    UNDISCLOSED: Patient.Gender
    ID_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BLOOD_GROUP_FIELD_NUMBER: _ClassVar[int]
    ALLERGIES_FIELD_NUMBER: _ClassVar[int]
    CHRONIC_CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MEDICAL_HISTORY_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_CONTACTS_FIELD_NUMBER: _ClassVar[int]
    INSURANCE_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_DOCTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CLINIC_IDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    date_of_birth: str
    gender: Patient.Gender
    address: str
    blood_group: str
    allergies: _containers.RepeatedScalarFieldContainer[str]
    chronic_conditions: _containers.RepeatedScalarFieldContainer[str]
    medical_history: str
    emergency_contacts: _containers.RepeatedCompositeFieldContainer[EmergencyContact]
    insurance_provider: str
    preferred_doctor_ids: _containers.RepeatedScalarFieldContainer[str]
    preferred_clinic_ids: _containers.RepeatedScalarFieldContainer[str]
    first_name: str
    last_name: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., gender: _Optional[_Union[Patient.Gender, str]] = ..., address: _Optional[str] = ..., blood_group: _Optional[str] = ..., allergies: _Optional[_Iterable[str]] = ..., chronic_conditions: _Optional[_Iterable[str]] = ..., medical_history: _Optional[str] = ..., emergency_contacts: _Optional[_Iterable[_Union[EmergencyContact, _Mapping]]] = ..., insurance_provider: _Optional[str] = ..., preferred_doctor_ids: _Optional[_Iterable[str]] = ..., preferred_clinic_ids: _Optional[_Iterable[str]] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClinicSummary(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class Doctor(_message.Message):
    __slots__ = ("id", "first_name", "last_name", "specialization", "qualifications", "license_number", "years_of_experience", "bio", "consultation_fee", "currency", "time_zone", "languages", "offers_virtual", "verified", "average_rating", "rating_count", "clinics", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    SPECIALIZATION_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    LICENSE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    YEARS_OF_EXPERIENCE_FIELD_NUMBER: _ClassVar[int]
    BIO_FIELD_NUMBER: _ClassVar[int]
    CONSULTATION_FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    OFFERS_VIRTUAL_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    CLINICS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    first_name: str
    last_name: str
    specialization: str
    qualifications: _containers.RepeatedScalarFieldContainer[str]
    license_number: str
    years_of_experience: int
    bio: str
    consultation_fee: str
    currency: str
    time_zone: str
    languages: _containers.RepeatedScalarFieldContainer[str]
    offers_virtual: bool
    verified: bool
    average_rating: float
    rating_count: int
    clinics: _containers.RepeatedCompositeFieldContainer[ClinicSummary]
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., specialization: _Optional[str] = ..., qualifications: _Optional[_Iterable[str]] = ..., license_number: _Optional[str] = ..., years_of_experience: _Optional[int] = ..., bio: _Optional[str] = ..., consultation_fee: _Optional[str] = ..., currency: _Optional[str] = ..., time_zone: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ..., offers_virtual: _Optional[bool] = ..., verified: _Optional[bool] = ..., average_rating: _Optional[float] = ..., rating_count: _Optional[int] = ..., clinics: _Optional[_Iterable[_Union[ClinicSummary, _Mapping]]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OperatingHours(_message.Message):
    __slots__ = ("day_of_week", "open", "close")
    class DayOfWeek(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        DAY_OF_WEEK_UNSPECIFIED: _ClassVar[OperatingHours.DayOfWeek]
        MONDAY: _ClassVar[OperatingHours.DayOfWeek]
        TUESDAY: _ClassVar[OperatingHours.DayOfWeek]
        WEDNESDAY: _ClassVar[OperatingHours.DayOfWeek]
        THURSDAY: _ClassVar[OperatingHours.DayOfWeek]
        FRIDAY: _ClassVar[OperatingHours.DayOfWeek]
        SATURDAY: _ClassVar[OperatingHours.DayOfWeek]
        SUNDAY: _ClassVar[OperatingHours.DayOfWeek]
    DAY_OF_WEEK_UNSPECIFIED: OperatingHours.DayOfWeek
    MONDAY: OperatingHours.DayOfWeek
    TUESDAY: OperatingHours.DayOfWeek
    WEDNESDAY: OperatingHours.DayOfWeek
    THURSDAY: OperatingHours.DayOfWeek
    FRIDAY: OperatingHours.DayOfWeek
    SATURDAY: OperatingHours.DayOfWeek
    SUNDAY: OperatingHours.DayOfWeek
    DAY_OF_WEEK_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    day_of_week: OperatingHours.DayOfWeek
    open: str
    close: str
    def __init__(self, day_of_week: _Optional[_Union[OperatingHours.DayOfWeek, str]] = ..., open: _Optional[str] = ..., close: _Optional[str] = ...) -> None: ...

class Clinic(_message.Message):
    __slots__ = ("id", "admin_id", "name", "address", "phone", "email", "time_zone", "currency", "operating_hours", "departments", "active", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    OPERATING_HOURS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    admin_id: str
    name: str
    address: str
    phone: str
    email: str
    time_zone: str
    currency: str
    operating_hours: _containers.RepeatedCompositeFieldContainer[OperatingHours]
    departments: _containers.RepeatedScalarFieldContainer[str]
    active: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., admin_id: _Optional[str] = ..., name: _Optional[str] = ..., address: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., time_zone: _Optional[str] = ..., currency: _Optional[str] = ..., operating_hours: _Optional[_Iterable[_Union[OperatingHours, _Mapping]]] = ..., departments: _Optional[_Iterable[str]] = ..., active: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClinicDoctor(_message.Message):
    __slots__ = ("clinic_id", "doctor_id", "status", "first_name", "last_name", "specialization", "invite_time", "respond_time", "end_time")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[ClinicDoctor.Status]
        PENDING: _ClassVar[ClinicDoctor.Status]
        CONFIRMED: _ClassVar[ClinicDoctor.Status]
        REJECTED: _ClassVar[ClinicDoctor.Status]
        ENDED: _ClassVar[ClinicDoctor.Status]
    STATUS_UNSPECIFIED: ClinicDoctor.Status
    PENDING: ClinicDoctor.Status
    CONFIRMED: ClinicDoctor.Status
    REJECTED: ClinicDoctor.Status
    ENDED: ClinicDoctor.Status
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    SPECIALIZATION_FIELD_NUMBER: _ClassVar[int]
    INVITE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESPOND_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    clinic_id: str
    doctor_id: str
    status: ClinicDoctor.Status
    first_name: str
    last_name: str
    specialization: str
    invite_time: _timestamp_pb2.Timestamp
    respond_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, clinic_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., status: _Optional[_Union[ClinicDoctor.Status, str]] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., specialization: _Optional[str] = ..., invite_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., respond_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Pharmacy(_message.Message):
    __slots__ = ("id", "owner_id", "name", "license_number", "address", "phone", "operating_hours", "time_zone", "currency", "verified", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LICENSE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    OPERATING_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner_id: str
    name: str
    license_number: str
    address: str
    phone: str
    operating_hours: _containers.RepeatedCompositeFieldContainer[OperatingHours]
    time_zone: str
    currency: str
    verified: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., owner_id: _Optional[str] = ..., name: _Optional[str] = ..., license_number: _Optional[str] = ..., address: _Optional[str] = ..., phone: _Optional[str] = ..., operating_hours: _Optional[_Iterable[_Union[OperatingHours, _Mapping]]] = ..., time_zone: _Optional[str] = ..., currency: _Optional[str] = ..., verified: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("patient_id", "doctor_id", "grant_time")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GRANT_TIME_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    doctor_id: str
    grant_time: _timestamp_pb2.Timestamp
    def __init__(self, patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., grant_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Rating(_message.Message):
    __slots__ = ("doctor_id", "patient_id", "rating", "review", "create_time", "update_time")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    patient_id: str
    rating: int
    review: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., rating: _Optional[int] = ..., review: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
