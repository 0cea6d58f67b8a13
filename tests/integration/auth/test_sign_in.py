"""Sign-in, throttling, refresh-token rotation, logout, password change and token checks."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pulseone.auth.v1 import auth_pb2

from services.auth.crypto import KeyRing, PasswordHasher, rotate_key_ring
from services.common.forwarded import GATEWAY_HEADER
from tests.integration.conftest import GATEWAY_SECRET, PASSWORD, AuthHarness, admin_token, bearer
from tests.rpc import failure_of


def from_address(address: str) -> tuple[tuple[str, str], ...]:
    """What Envoy sends: the client address it saw, appended to X-Forwarded-For, and its secret."""
    return (("x-forwarded-for", f"203.0.113.99, {address}"), (GATEWAY_HEADER, GATEWAY_SECRET))


async def login(auth: AuthHarness, email: str, password: str, address: str = "198.51.100.1") -> auth_pb2.AuthResponse:
    response: auth_pb2.AuthResponse = await auth.stub.Login(
        auth_pb2.LoginRequest(email=email, password=password), metadata=from_address(address)
    )
    return response


async def test_wrong_password_and_unknown_email_fail_alike(auth: AuthHarness) -> None:
    user = await auth.register()
    failures = []
    for email in (user.user.email, f"nobody-{uuid.uuid4().hex}@example.com"):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await login(auth, email, "wrong password 1")
        failures.append(failure_of(raised.value))
    assert {(f.code, f.reason, f.message) for f in failures} == {
        (grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS", "the email or password is wrong")
    }


async def test_five_failures_lock_out_that_address_even_with_the_right_password(auth: AuthHarness) -> None:
    user = await auth.register()
    for _ in range(5):
        with pytest.raises(grpc.aio.AioRpcError):
            await login(auth, user.user.email, "wrong password 1", "198.51.100.7")
    retry_after = []
    for _ in range(2):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await login(auth, user.user.email, PASSWORD, "198.51.100.7")
        failure = failure_of(raised.value)
        assert (failure.code, failure.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "TOO_MANY_ATTEMPTS")
        retry_after.append(int(failure.metadata["retryAfterSeconds"]))
    assert retry_after[1] == 2 * retry_after[0]
    # Nobody can lock a victim out: the right password from another address works.
    signed_in = await login(auth, user.user.email, PASSWORD, "198.51.100.8")
    assert signed_in.user.id == user.user.id


async def test_a_forwarded_address_without_the_gateways_secret_is_not_believed(auth: AuthHarness) -> None:
    user = await auth.register()
    for address in ("198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.23", "198.51.100.24"):
        with pytest.raises(grpc.aio.AioRpcError):
            await auth.stub.Login(
                auth_pb2.LoginRequest(email=user.user.email, password="wrong password 1"),
                metadata=(("x-forwarded-for", address), (GATEWAY_HEADER, "not the gateway's secret, not at all")),
            )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.Login(auth_pb2.LoginRequest(email=user.user.email, password=PASSWORD))
    assert raised.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    signed_in = await login(auth, user.user.email, PASSWORD, "198.51.100.20")
    assert signed_in.user.id == user.user.id


async def test_unknown_emails_are_throttled_exactly_like_known_ones(auth: AuthHarness) -> None:
    email = f"ghost-{uuid.uuid4().hex}@example.com"
    for _ in range(5):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await login(auth, email, "wrong password 1", "198.51.100.9")
        assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await login(auth, email, "wrong password 1", "198.51.100.9")
    assert raised.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_refresh_rotates_and_the_old_token_then_fails_after_the_grace_period(auth: AuthHarness) -> None:
    user = await auth.register()
    first = await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token))
    assert first.refresh_token != user.refresh_token
    assert first.user.id == user.user.id
    # Two tabs refreshing at once get the same successor.
    again = await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token))
    assert again.refresh_token == first.refresh_token
    auth.clock.advance(timedelta(seconds=11))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token))
        assert failure_of(raised.value).reason == "REFRESH_TOKEN_REUSED"
        # Theft detection revoked the whole family, including the legitimate successor.
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=first.refresh_token))
        assert failure_of(raised.value).reason == "REFRESH_TOKEN_REVOKED"
    finally:
        auth.clock.advance(timedelta(seconds=-11))


async def test_concurrent_refreshes_of_one_token_all_get_one_successor(auth: AuthHarness) -> None:
    user = await auth.register()
    results = await asyncio.gather(
        *(auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token)) for _ in range(5))
    )
    assert len({r.refresh_token for r in results}) == 1


async def test_refresh_tokens_expire_after_fourteen_idle_days(auth: AuthHarness) -> None:
    user = await auth.register()
    auth.clock.advance(timedelta(days=14, seconds=1))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token))
        assert failure_of(raised.value).reason == "REFRESH_TOKEN_EXPIRED"
    finally:
        auth.clock.advance(-timedelta(days=14, seconds=1))


async def test_unknown_refresh_tokens_are_unauthenticated_and_empty_ones_invalid(auth: AuthHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token="not-a-token"))
    assert failure_of(raised.value).reason == "REFRESH_TOKEN_INVALID"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest())
    assert failure_of(raised.value).fields == {"refreshToken": "INVALID_FIELD"}


async def test_logout_revokes_the_family(auth: AuthHarness) -> None:
    user = await auth.register()
    rotated = await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=user.refresh_token))
    await auth.stub.Logout(auth_pb2.LogoutRequest(refresh_token=user.refresh_token))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=rotated.refresh_token))
    assert failure_of(raised.value).reason == "REFRESH_TOKEN_REVOKED"


async def test_changing_the_password_revokes_every_refresh_token(auth: AuthHarness) -> None:
    user = await auth.register()
    second_device = await login(auth, user.user.email, PASSWORD)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.ChangePassword(
            auth_pb2.ChangePasswordRequest(current_password="wrong password 1", new_password="a new secret 2"),
            metadata=bearer(user.access_token),
        )
    assert failure_of(raised.value).fields == {"currentPassword": "WRONG_PASSWORD"}
    await auth.stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(current_password=PASSWORD, new_password="a new secret 2"),
        metadata=bearer(user.access_token),
    )
    for token in (user.refresh_token, second_device.refresh_token):
        with pytest.raises(grpc.aio.AioRpcError):
            await auth.stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=token))
    assert (await login(auth, user.user.email, "a new secret 2")).user.id == user.user.id


async def test_verify_reports_the_current_status_not_the_claim(auth: AuthHarness) -> None:
    doctor = await auth.register("DOCTOR")
    check = await auth.stub.VerifyToken(auth_pb2.VerifyTokenRequest(token=doctor.access_token))
    assert check.valid
    assert check.user_id == doctor.user.id
    assert auth_pb2.User.Role.Name(check.role) == "DOCTOR"
    assert auth_pb2.User.Status.Name(check.status) == "PENDING_APPROVAL"
    assert check.expires_at.seconds > time.time()
    assert not (await auth.stub.VerifyToken(auth_pb2.VerifyTokenRequest(token="garbage"))).valid


def forged(auth: AuthHarness, **claims: object) -> str:
    key = KeyRing(auth.key_ring).current()
    now = int(time.time())
    body = {
        "iss": "pulseone-auth",
        "aud": "pulseone",
        "sub": str(uuid.uuid4()),
        "role": "SYSTEM_ADMIN",
        "status": "ACTIVE",
        "iat": now,
        "exp": now + 60,
        "jti": "x",
    }
    body.update(claims)
    return jwt.encode(body, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 10}, "TOKEN_EXPIRED"),
        ({"aud": "someone-else"}, "TOKEN_INVALID"),
        ({"iss": "https://evil.example"}, "TOKEN_INVALID"),
    ],
)
async def test_expired_and_foreign_tokens_are_unauthenticated(
    auth: AuthHarness, claims: dict[str, object], reason: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(forged(auth, **claims)))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAUTHENTICATED, reason)


async def test_a_token_signed_with_an_unknown_key_is_refused(auth: AuthHarness) -> None:
    token = jwt.encode(
        {"sub": str(uuid.uuid4()), "exp": int(time.time()) + 60},
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": "unknown"},
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest(), metadata=bearer(token))
    assert failure_of(raised.value).reason == "TOKEN_INVALID"


async def test_missing_token_is_unauthenticated(auth: AuthHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest())
    assert failure_of(raised.value).reason == "TOKEN_MISSING"


async def test_a_rotated_key_is_published_before_it_signs(auth: AuthHarness) -> None:
    before = json.loads((await auth.stub.GetJwks(auth_pb2.GetJwksRequest())).data)["keys"]
    new_kid = rotate_key_ring(auth.key_ring, timedelta(minutes=10))
    ring = KeyRing(auth.key_ring)
    published = [k["kid"] for k in ring.jwks()["keys"]]
    assert new_kid in published
    assert ring.current().kid == before[-1]["kid"]  # the new key does not sign yet
    assert all(k["kty"] == "OKP" and k["alg"] == "EdDSA" and "d" not in k for k in ring.jwks()["keys"])


async def test_a_suspended_account_answers_differently_only_to_its_right_password(
    auth: AuthHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule for signing in to a SUSPENDED account: a wrong password gets exactly what a wrong
    password gets for any account (UNAUTHENTICATED "the email or password is wrong", after the same
    Argon2 check, counted by the same throttle), so the reply says nothing about the account. Only
    the right password answers ACCOUNT_SUSPENDED (PERMISSION_DENIED, 403): whoever knows the
    password is the owner, and the owner is told why they cannot sign in."""
    hashed = []
    verify = PasswordHasher.verify

    async def counted(self: PasswordHasher, password_hash: str | None, password: str) -> bool:
        hashed.append(password)
        return await verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    admin = await admin_token(auth)
    active, suspended = await auth.register(), await auth.register()
    await auth.stub.SuspendUser(auth_pb2.SuspendUserRequest(user_id=suspended.user.id), metadata=bearer(admin))
    hashed.clear()

    answers = []
    for user, address in ((active, "198.51.100.31"), (suspended, "198.51.100.32")):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await login(auth, user.user.email, "wrong password 1", address)
        answers.append(failure_of(raised.value))
    assert answers[0] == answers[1]
    assert (answers[1].code, answers[1].reason) == (grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS")
    assert len(hashed) == 2  # no early return for the suspended account: its password is checked too

    for _ in range(4):
        with pytest.raises(grpc.aio.AioRpcError):
            await login(auth, suspended.user.email, "wrong password 1", "198.51.100.32")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await login(auth, suspended.user.email, PASSWORD, "198.51.100.32")
    assert failure_of(raised.value).reason == "TOO_MANY_ATTEMPTS"  # throttled like anyone, right password or not

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await login(auth, suspended.user.email, PASSWORD, "198.51.100.33")
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ACCOUNT_SUSPENDED")
