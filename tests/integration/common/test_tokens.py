"""Every service refuses forged access tokens as invalid (never as an internal error), and VerifyToken says so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from pulseone.appointments.v1 import appointments_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.profile.v1 import profile_pb2

from services.auth.crypto import KeyRing
from tests.forged_tokens import hostile_tokens
from tests.integration.conftest import AppointmentsHarness, AuthHarness, ProfileHarness, bearer
from tests.rpc import failure_of

ProtectedCall = Callable[[str], Awaitable[Any]]


@pytest.fixture(scope="module")
def forgeries(auth: AuthHarness) -> dict[str, str]:
    key = KeyRing(auth.key_ring).current()
    return hostile_tokens(key.kid, key.private_key.public_key())


@pytest.fixture(scope="module")
def protected_calls(
    auth: AuthHarness, profile: ProfileHarness, appointments: AppointmentsHarness
) -> dict[str, ProtectedCall]:
    """One call that needs a signed-in caller, in each service."""
    return {
        "auth": lambda token: auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(token)),
        "profile": lambda token: profile.stub("ProfileService").GetProfile(
            profile_pb2.GetProfileRequest(user_id="00000000-0000-0000-0000-000000000001"), metadata=bearer(token)
        ),
        "appointments": lambda token: appointments.sessions().ListSessions(
            appointments_pb2.ListSessionsRequest(), metadata=bearer(token)
        ),
    }


@pytest.mark.parametrize("service", ["auth", "profile", "appointments"])
async def test_forged_tokens_are_unauthenticated_in_every_service(
    forgeries: dict[str, str], protected_calls: dict[str, ProtectedCall], service: str
) -> None:
    answers = {}
    for name, token in forgeries.items():
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await protected_calls[service](token)
        failure = failure_of(raised.value)
        answers[name] = (failure.code, failure.reason)
    assert answers == dict.fromkeys(forgeries, (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"))


async def test_verify_token_calls_forged_tokens_invalid(auth: AuthHarness, forgeries: dict[str, str]) -> None:
    answers = {}
    for name, token in forgeries.items():
        answers[name] = (await auth.stub.VerifyToken(auth_pb2.VerifyTokenRequest(token=token))).valid
    assert answers == dict.fromkeys(forgeries, False)
