"""The gRPC servicer of pulseone.auth.v1.AuthService: protobuf in, one call to the service, protobuf out."""

from __future__ import annotations

import json

import grpc
from google.api import httpbody_pb2
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from services.auth.keys import KeyRing
from services.auth.messages import new_account, role_of, status_of, user_message
from services.auth.service import AuthService, SignedIn
from services.common.context import client_address_var, current_principal
from services.common.validation import parse_uuid


def _auth_response(signed_in: SignedIn) -> auth_pb2.AuthResponse:
    return auth_pb2.AuthResponse(
        user=user_message(signed_in.account),
        access_token=signed_in.access.token,
        refresh_token=signed_in.refresh_token,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=signed_in.access.expires_in,
    )


class AuthApi(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, service: AuthService, ring: KeyRing) -> None:
        self._service = service
        self._ring = ring

    async def Register(
        self, request: auth_pb2.RegisterRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.AuthResponse:
        return _auth_response(await self._service.register(new_account(request)))

    async def Login(self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext) -> auth_pb2.AuthResponse:
        signed_in = await self._service.login(request.email, request.password, client_address_var.get())
        return _auth_response(signed_in)

    async def RefreshToken(
        self, request: auth_pb2.RefreshTokenRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.AuthResponse:
        return _auth_response(await self._service.refresh(request.refresh_token))

    async def Logout(
        self, request: auth_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LogoutResponse:
        await self._service.logout(request.refresh_token)
        return auth_pb2.LogoutResponse()

    async def VerifyToken(
        self, request: auth_pb2.VerifyTokenRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.VerifyTokenResponse:
        check = await self._service.verify(request.token)
        response = auth_pb2.VerifyTokenResponse(
            valid=check.valid,
            user_id=check.user_id,
            role=check.role.value if check.role else None,
            status=check.status.value if check.status else None,
        )
        if check.expires_at is not None:
            response.expires_at.FromDatetime(check.expires_at)
        return response

    async def GetJwks(
        self, request: auth_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="application/json", data=json.dumps(self._ring.jwks()).encode())

    async def GetCurrentUser(
        self, request: auth_pb2.GetCurrentUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._service.get_account(current_principal().user_id))

    async def ChangePassword(
        self, request: auth_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ChangePasswordResponse:
        await self._service.change_password(current_principal(), request.current_password, request.new_password)
        return auth_pb2.ChangePasswordResponse()

    async def ListUsers(
        self, request: auth_pb2.ListUsersRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ListUsersResponse:
        found, next_token = await self._service.list_accounts(
            role=role_of(request.role),
            status=status_of(request.status),
            size=request.page_size,
            token=request.page_token,
        )
        return auth_pb2.ListUsersResponse(users=[user_message(a) for a in found], next_page_token=next_token)

    async def GetUser(self, request: auth_pb2.GetUserRequest, context: grpc.aio.ServicerContext) -> auth_pb2.User:
        return user_message(await self._service.get_account(parse_uuid(request.user_id, "userId")))

    async def CreateUser(self, request: auth_pb2.CreateUserRequest, context: grpc.aio.ServicerContext) -> auth_pb2.User:
        return user_message(await self._service.create_account(new_account(request)))

    async def ApproveUser(
        self, request: auth_pb2.ApproveUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._service.approve(parse_uuid(request.user_id, "userId")))

    async def SuspendUser(
        self, request: auth_pb2.SuspendUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        user_id = parse_uuid(request.user_id, "userId")
        return user_message(await self._service.suspend(user_id, current_principal(), request.reason))

    async def ReactivateUser(
        self, request: auth_pb2.ReactivateUserRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.User:
        return user_message(await self._service.reactivate(parse_uuid(request.user_id, "userId")))
