"""The gRPC servicer of pulseone.auth.v1.AuthService: protobuf in, one use-case call, protobuf out."""

from __future__ import annotations

import json

import grpc
from google.api import httpbody_pb2
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from services.auth.messages import (
    auth_response,
    new_account,
    role_of,
    status_of,
    user_message,
    verify_token_response,
)
from services.auth.use_cases.accounts import Accounts
from services.auth.use_cases.audit import AuditFilters, AuditTrails
from services.auth.use_cases.sign_in import SignIn
from services.common.audit_api import entry_message
from services.common.context import client_address_var, current_principal
from services.common.fields import parse_uuid


class AuthApi(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, accounts: Accounts, sign_in: SignIn, audit_trails: AuditTrails) -> None:
        self._accounts = accounts
        self._sign_in = sign_in
        self._audit_trails = audit_trails

    async def ListAuditEntries(
        self, request: auth_pb2.ListAuditEntriesRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ListAuditEntriesResponse:
        filters = AuditFilters(
            user_id=request.user_id,
            patient_id=request.patient_id,
            resource_type=request.resource_type,
            resource_id=request.resource_id,
            since=getattr(request, "from"),
            until=request.to,
        )
        entries, services, next_token = await self._audit_trails.list(
            filters, size=request.page_size, token=request.page_token
        )
        return auth_pb2.ListAuditEntriesResponse(
            audit_entries=[entry_message(s, e) for s, e in zip(services, entries, strict=True)],
            next_page_token=next_token,
        )

    async def Register(
        self, request: auth_pb2.RegisterRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.AuthResponse:
        return auth_response(await self._accounts.register(new_account(request)))

    async def Login(self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext) -> auth_pb2.AuthResponse:
        return auth_response(await self._sign_in.login(request.email, request.password, client_address_var.get()))

    async def RefreshToken(
        self, request: auth_pb2.RefreshTokenRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.AuthResponse:
        return auth_response(await self._sign_in.refresh(request.refresh_token))

    async def Logout(
        self, request: auth_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LogoutResponse:
        await self._sign_in.logout(request.refresh_token)
        return auth_pb2.LogoutResponse()

    async def VerifyToken(
        self, request: auth_pb2.VerifyTokenRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.VerifyTokenResponse:
        return verify_token_response(await self._sign_in.verify(request.token))

    async def GetJwks(
        self, request: auth_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        jwks = self._sign_in.published_keys()
        return httpbody_pb2.HttpBody(content_type="application/json", data=json.dumps(jwks).encode())

    async def GetCurrentUser(
        self, request: auth_pb2.GetCurrentUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._accounts.get(current_principal().user_id))

    async def ChangePassword(
        self, request: auth_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ChangePasswordResponse:
        await self._accounts.change_password(current_principal(), request.current_password, request.new_password)
        return auth_pb2.ChangePasswordResponse()

    async def ListUsers(
        self, request: auth_pb2.ListUsersRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ListUsersResponse:
        page = await self._accounts.list(
            role=role_of(request.role),
            status=status_of(request.status),
            size=request.page_size,
            token=request.page_token,
        )
        return auth_pb2.ListUsersResponse(
            users=[user_message(a) for a in page.items], next_page_token=page.next_page_token
        )

    async def GetUser(self, request: auth_pb2.GetUserRequest, context: grpc.aio.ServicerContext) -> auth_pb2.User:
        return user_message(await self._accounts.get(parse_uuid(request.user_id, "userId")))

    async def CreateUser(self, request: auth_pb2.CreateUserRequest, context: grpc.aio.ServicerContext) -> auth_pb2.User:
        return user_message(await self._accounts.create(new_account(request)))

    async def ApproveUser(
        self, request: auth_pb2.ApproveUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._accounts.approve(parse_uuid(request.user_id, "userId")))

    async def SuspendUser(
        self, request: auth_pb2.SuspendUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        user_id = parse_uuid(request.user_id, "userId")
        return user_message(await self._accounts.suspend(user_id, current_principal(), request.reason))

    async def ReactivateUser(
        self, request: auth_pb2.ReactivateUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._accounts.reactivate(parse_uuid(request.user_id, "userId")))
