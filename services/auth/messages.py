"""Conversions between auth domain values and their protobuf messages (API and event payloads)."""

from __future__ import annotations

from pulseone.auth.v1 import auth_pb2

from services.auth.domain.access_tokens import SignedIn, TokenCheck
from services.auth.domain.accounts import Account, ClinicDetails, NewAccount, PharmacyDetails
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


def auth_response(signed_in: SignedIn) -> auth_pb2.AuthResponse:
    return auth_pb2.AuthResponse(
        user=user_message(signed_in.account),
        access_token=signed_in.access.token,
        refresh_token=signed_in.refresh_token,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=signed_in.access.expires_in,
    )


def verify_token_response(check: TokenCheck) -> auth_pb2.VerifyTokenResponse:
    response = auth_pb2.VerifyTokenResponse(
        valid=check.valid,
        user_id=check.user_id,
        role=check.role.value if check.role else None,
        status=check.status.value if check.status else None,
    )
    if check.expires_at is not None:
        response.expires_at.FromDatetime(check.expires_at)
    return response


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
