"""Registration and account administration through the auth service's gRPC API."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from pulseone.auth.v1 import auth_pb2

from tests.integration.conftest import PASSWORD, AuthHarness, admin_token, bearer
from tests.rpc import failure_of


async def test_a_patient_is_active_and_signed_in_on_registration(auth: AuthHarness) -> None:
    response = await auth.register("PATIENT", email="  Mixed.Case@Example.COM ")
    assert response.user.email == "mixed.case@example.com"
    assert auth_pb2.User.Status.Name(response.user.status) == "ACTIVE"
    assert response.token_type == "Bearer"
    assert response.expires_in == 900
    me = await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(response.access_token))
    assert me.id == response.user.id


@pytest.mark.parametrize("role", ["DOCTOR", "CLINIC_ADMIN", "PHARMACY"])
async def test_professionals_wait_for_approval(auth: AuthHarness, role: str) -> None:
    response = await auth.register(role)
    assert auth_pb2.User.Status.Name(response.user.status) == "PENDING_APPROVAL"


async def test_the_same_email_in_another_case_is_already_taken(auth: AuthHarness) -> None:
    first = await auth.register("PATIENT")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.register("PATIENT", email=first.user.email.upper())
    failure = failure_of(raised.value)
    assert failure.code is grpc.StatusCode.ALREADY_EXISTS
    assert (failure.reason, failure.domain) == ("EMAIL_TAKEN", "pulseone.auth")


async def test_concurrent_registrations_of_one_email_create_one_account(auth: AuthHarness) -> None:
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    results = await asyncio.gather(*(auth.register("PATIENT", email=email) for _ in range(8)), return_exceptions=True)
    created = [r for r in results if isinstance(r, auth_pb2.AuthResponse)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(created) == 1
    assert len(refused) == 7
    assert all(r.code() is grpc.StatusCode.ALREADY_EXISTS for r in refused)


async def test_invalid_registrations_name_every_bad_field(auth: AuthHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.Register(
            auth_pb2.RegisterRequest(email="not-an-email", password="short", role="CLINIC_ADMIN", first_name="A")
        )
    failure = failure_of(raised.value)
    assert failure.code is grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "VALIDATION_FAILED"
    assert failure.fields == {
        "email": "INVALID_FIELD",
        "password": "WEAK_PASSWORD",
        "lastName": "INVALID_FIELD",
        "clinic": "INVALID_FIELD",
    }


async def test_a_clinic_needs_a_real_time_zone(auth: AuthHarness) -> None:
    request = auth_pb2.RegisterRequest(
        email=f"c-{uuid.uuid4().hex[:8]}@example.com",
        password=PASSWORD,
        role="CLINIC_ADMIN",
        first_name="A",
        last_name="B",
        clinic=auth_pb2.ClinicDetails(name="X", time_zone="Mars/Olympus"),
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.Register(request)
    assert failure_of(raised.value).fields == {"clinic.timeZone": "INVALID_TIME_ZONE"}


async def test_system_admins_cannot_self_register(auth: AuthHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.register("SYSTEM_ADMIN")
    assert failure_of(raised.value).fields == {"role": "ROLE_NOT_SELF_REGISTRABLE"}


async def test_an_admin_approves_a_pending_doctor_and_cannot_approve_twice(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    doctor = await auth.register("DOCTOR")
    approved = await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=doctor.user.id), metadata=bearer(token))
    assert auth_pb2.User.Status.Name(approved.status) == "ACTIVE"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=doctor.user.id), metadata=bearer(token))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")


async def test_suspension_takes_effect_at_once_and_reactivation_restores_the_previous_status(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    doctor = await auth.register("DOCTOR")
    await auth.stub.SuspendUser(
        auth_pb2.SuspendUserRequest(user_id=doctor.user.id, reason="licence check"), metadata=bearer(token)
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(doctor.access_token))
    assert failure_of(raised.value).reason == "ACCOUNT_SUSPENDED"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=doctor.refresh_token))
    assert raised.value.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.Login(auth_pb2.LoginRequest(email=doctor.user.email, password=PASSWORD))
    assert failure_of(raised.value).reason == "ACCOUNT_SUSPENDED"
    restored = await auth.stub.ReactivateUser(
        auth_pb2.ReactivateUserRequest(user_id=doctor.user.id), metadata=bearer(token)
    )
    assert auth_pb2.User.Status.Name(restored.status) == "PENDING_APPROVAL"


async def test_admins_cannot_suspend_themselves(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    me = await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(token))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.SuspendUser(auth_pb2.SuspendUserRequest(user_id=me.id), metadata=bearer(token))
    assert failure_of(raised.value).reason == "CANNOT_SUSPEND_SELF"


async def test_unknown_and_malformed_user_ids(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=str(uuid.uuid4())), metadata=bearer(token))
    assert (failure_of(raised.value).code, failure_of(raised.value).reason) == (
        grpc.StatusCode.NOT_FOUND,
        "USER_NOT_FOUND",
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetUser(auth_pb2.GetUserRequest(user_id="42"), metadata=bearer(token))
    assert failure_of(raised.value).fields == {"userId": "INVALID_ID"}


async def test_patients_cannot_call_administration(auth: AuthHarness) -> None:
    patient = await auth.register("PATIENT")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ListUsers(auth_pb2.ListUsersRequest(), metadata=bearer(patient.access_token))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


async def test_pending_accounts_may_read_themselves(auth: AuthHarness) -> None:
    doctor = await auth.register("DOCTOR")
    me = await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(doctor.access_token))
    assert auth_pb2.User.Status.Name(me.status) == "PENDING_APPROVAL"


async def test_listing_filters_and_pages_newest_first(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    made = [await auth.register("PHARMACY") for _ in range(5)]
    seen: list[str] = []
    page_token = ""
    while True:
        page = await auth.stub.ListUsers(
            auth_pb2.ListUsersRequest(role="PHARMACY", page_size=2, page_token=page_token), metadata=bearer(token)
        )
        assert len(page.users) <= 2
        assert all(auth_pb2.User.Role.Name(u.role) == "PHARMACY" for u in page.users)
        seen += [u.id for u in page.users]
        page_token = page.next_page_token
        if not page_token:
            break
    assert len(seen) == len(set(seen))
    ours = [u.id for u in reversed([m.user for m in made])]
    assert [i for i in seen if i in ours] == ours


async def test_negative_page_size_and_foreign_page_tokens_are_invalid(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ListUsers(auth_pb2.ListUsersRequest(page_size=-1), metadata=bearer(token))
    assert failure_of(raised.value).fields == {"pageSize": "INVALID_FIELD"}
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ListUsers(auth_pb2.ListUsersRequest(page_token="garbage!"), metadata=bearer(token))
    assert failure_of(raised.value).reason == "INVALID_PAGE_TOKEN"
    assert failure_of(raised.value).fields == {"pageToken": "INVALID_PAGE_TOKEN"}


async def test_admin_created_accounts_are_active(auth: AuthHarness) -> None:
    token = await admin_token(auth)
    created = await auth.stub.CreateUser(
        auth_pb2.CreateUserRequest(
            email=f"d-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            role="DOCTOR",
            first_name="Greg",
            last_name="House",
        ),
        metadata=bearer(token),
    )
    assert auth_pb2.User.Status.Name(created.status) == "ACTIVE"
