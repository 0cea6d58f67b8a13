"""Conversions between auth domain values and their protobuf messages."""

from __future__ import annotations

from pulseone.auth.v1 import auth_pb2

from services.auth.accounts import Account, ClinicDetails, NewAccount, PharmacyDetails
from services.common.context import AccountStatus, Role


def user_message(account: Account) -> auth_pb2.User:
    message = auth_pb2.User(
        id=str(account.id),
        email=account.email,
        role=account.role.value,
        status=account.status.value,
        first_name=account.first_name,
        last_name=account.last_name,
        phone_number=account.phone_number,
    )
    message.create_time.FromDatetime(account.create_time)
    return message


def role_of(value: int) -> Role | None:
    return None if value == auth_pb2.User.ROLE_UNSPECIFIED else Role(auth_pb2.User.Role.Name(value))


def status_of(value: int) -> AccountStatus | None:
    return None if value == auth_pb2.User.STATUS_UNSPECIFIED else AccountStatus(auth_pb2.User.Status.Name(value))


def new_account(request: auth_pb2.RegisterRequest | auth_pb2.CreateUserRequest) -> NewAccount:
    clinic = pharmacy = None
    if request.HasField("clinic"):
        c = request.clinic
        clinic = ClinicDetails(name=c.name, address=c.address, phone=c.phone, time_zone=c.time_zone)
    if request.HasField("pharmacy"):
        p = request.pharmacy
        pharmacy = PharmacyDetails(name=p.name, license_number=p.license_number, address=p.address, phone=p.phone)
    return NewAccount(
        email=request.email,
        password=request.password,
        role=role_of(request.role),
        first_name=request.first_name,
        last_name=request.last_name,
        phone_number=request.phone_number,
        clinic=clinic,
        pharmacy=pharmacy,
    )


def clinic_message(clinic: ClinicDetails) -> auth_pb2.ClinicDetails:
    return auth_pb2.ClinicDetails(
        name=clinic.name, address=clinic.address, phone=clinic.phone, time_zone=clinic.time_zone
    )


def pharmacy_message(pharmacy: PharmacyDetails) -> auth_pb2.PharmacyDetails:
    return auth_pb2.PharmacyDetails(
        name=pharmacy.name, license_number=pharmacy.license_number, address=pharmacy.address, phone=pharmacy.phone
    )
