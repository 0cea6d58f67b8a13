"""Tokens and identity at every door (SPEC 1, DESIGN 7): each kind of bad access token is refused by
every service called directly on its own port, not only at the gateway, and identity headers a
client sets are ignored both through the gateway and as gRPC metadata sent straight to a service."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable

import grpc
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pulseone.authz.v1 import authz_pb2

from gateway.config import IDENTITY_HEADERS
from gateway.contract import Method
from scripts.platform import SERVICES, Platform
from services.auth.crypto import KeyRing
from tests.e2e.conftest import Account, error_info, register
from tests.e2e.test_gateway import ROUTED, token_for
from tests.forged_tokens import hostile_tokens
from tests.rpc import failure_of

SERVICE_NAMES = [s.name for s in SERVICES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(platform: Platform) -> str:
    """PulseOne's header and claims with a signature that is not PulseOne's (its bytes altered)."""
    header, claims, signature = token_for(platform).split(".")
    altered = bytes(b ^ 0x01 for b in base64.urlsafe_b64decode(signature + "=="))
    return f"{header}.{claims}.{_b64(altered)}"


def _hostile(name: str) -> Callable[[Platform], str]:
    def make(platform: Platform) -> str:
        key = KeyRing(platform.key_ring).current()
        return hostile_tokens(key.kid, key.private_key.public_key())[name]

    return make


def _unknown_kid(platform: Platform) -> str:
    """Signed with PulseOne's own key, but naming a key the JWKS does not publish."""
    key = KeyRing(platform.key_ring).current()
    claims = jwt.decode(token_for(platform), options={"verify_signature": False})
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": "0123456789abcdef"})


def _self_signed(platform: Platform) -> str:
    """A stranger's key, its own kid, and its public key in the header for a naive verifier to use."""
    stranger = Ed25519PrivateKey.generate()
    raw = stranger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    claims = jwt.decode(token_for(platform), options={"verify_signature": False})
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": "self"}
    return jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": "self", "jwk": jwk})


# The nine kinds of bad token issue 13 names, each with the reason a service gives.
BAD_TOKENS: dict[str, tuple[Callable[[Platform], str], str]] = {
    "forged": (_forged, "TOKEN_INVALID"),
    "expired": (lambda p: token_for(p, exp=int(time.time()) - 3600), "TOKEN_EXPIRED"),
    "not-yet-valid": (lambda p: token_for(p, nbf=int(time.time()) + 3600), "TOKEN_INVALID"),
    "wrong-audience": (lambda p: token_for(p, aud="another-audience"), "TOKEN_INVALID"),
    "wrong-issuer": (lambda p: token_for(p, iss="https://evil.example"), "TOKEN_INVALID"),
    "alg-none": (_hostile("alg-none"), "TOKEN_INVALID"),
    "hs256-with-the-public-key": (_hostile("hs256-public-pem-as-secret"), "TOKEN_INVALID"),
    "unknown-kid": (_unknown_kid, "TOKEN_INVALID"),
    "self-signed": (_self_signed, "TOKEN_INVALID"),
}


def _protected(service: str, *, refusing: str | None = None) -> Method:
    """A unary method of the service that needs a token; with `refusing`, one whose rule leaves that
    role out (so a caller of that role is refused whatever identity it claims besides its token)."""
    for method in ROUTED:
        rule = method.rule
        if method.cluster != service or method.server_streaming or rule is None or rule.public:
            continue
        roles = {authz_pb2.Rule.Role.Name(r) for r in rule.roles}
        if refusing is None or (roles and refusing not in roles):
            return method
    raise AssertionError(f"{service} has no such method")


async def _call_directly(platform: Platform, service: str, method: Method, metadata: list[tuple[str, str]]) -> None:
    """Call a method on the service's own port with an empty request (authentication and the rule
    come before the request is looked at)."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.service_ports[service]}") as channel:
        call = channel.unary_unary(method.grpc_path)
        await call(b"", metadata=metadata, timeout=10)


# tests/e2e/test_gateway.py already shows the gateway refusing expired, wrong-audience and
# wrong-issuer tokens and the header forgeries (alg none, HS256 keyed with the public key, a key in
# the header); these are the kinds it did not.
AT_THE_GATEWAY_TOO = ["forged", "not-yet-valid", "unknown-kid", "self-signed"]


@pytest.fixture(scope="module")
def patient(gateway: httpx.Client) -> Account:
    return register(gateway, "PATIENT")


@pytest.mark.parametrize("case", AT_THE_GATEWAY_TOO)
def test_the_gateway_refuses_every_kind_of_bad_token(platform: Platform, gateway: httpx.Client, case: str) -> None:
    make, _ = BAD_TOKENS[case]
    response = gateway.get("/api/auth/me", headers={"authorization": f"Bearer {make(platform)}"})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == 16
    assert error_info(response)["domain"] == "pulseone.gateway"


@pytest.mark.parametrize("case", list(BAD_TOKENS))
@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_every_service_called_directly_refuses_every_kind_of_bad_token(
    platform: Platform, service: str, case: str
) -> None:
    make, reason = BAD_TOKENS[case]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await _call_directly(platform, service, _protected(service), [("authorization", f"Bearer {make(platform)}")])
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason, failure.domain) == (
        grpc.StatusCode.UNAUTHENTICATED,
        reason,
        f"pulseone.{service}",
    )


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_the_same_call_with_a_good_token_passes_authentication(
    platform: Platform, patient: Account, service: str
) -> None:
    """The control for the refusals above: the very call, with a real token, gets past the token check
    (to an answer, or to a refusal that is not about the token)."""
    metadata = [("authorization", f"Bearer {patient.access_token}")]
    code = grpc.StatusCode.OK
    try:
        await _call_directly(platform, service, _protected(service), metadata)
    except grpc.aio.AioRpcError as error:
        code = failure_of(error).code
    assert code is not grpc.StatusCode.UNAUTHENTICATED


def _claimed_identity(admin: Account) -> list[tuple[str, str]]:
    """Every identity header the gateway strips, each claiming the SYSTEM_ADMIN (or, for the
    JWT payload, that admin's claims) and the gateway's own marker with a guessed secret."""
    payload = _b64(f'{{"sub":"{admin.id}","role":"SYSTEM_ADMIN","status":"ACTIVE"}}'.encode())
    values = {"x-jwt-payload": payload, "x-user-role": "SYSTEM_ADMIN", "x-pulseone-role": "SYSTEM_ADMIN"}
    return [(header, values.get(header, admin.id)) for header in IDENTITY_HEADERS]


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_identity_metadata_without_a_token_is_unauthenticated_at_every_service(
    platform: Platform, admin: Account, service: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await _call_directly(platform, service, _protected(service), _claimed_identity(admin))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_identity_metadata_beside_a_token_is_ignored_at_every_service(
    platform: Platform, admin: Account, patient: Account, service: str
) -> None:
    """A patient's token with every identity header claiming the SYSTEM_ADMIN: still the patient."""
    metadata = [("authorization", f"Bearer {patient.access_token}"), *_claimed_identity(admin)]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await _call_directly(platform, service, _protected(service, refusing="PATIENT"), metadata)
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason, failure.metadata) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "ROLE_NOT_ALLOWED",
        {"role": "PATIENT"},
    )


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_identity_headers_through_the_gateway_are_ignored_by_every_service(
    gateway: httpx.Client, admin: Account, patient: Account, service: str
) -> None:
    method = _protected(service, refusing="PATIENT")
    binding = method.bindings[0]
    path = binding.template
    while "{" in path:
        start = path.index("{")
        path = path[:start] + str(uuid.uuid4()) + path[path.index("}", start) + 1 :]
    headers = {**patient.headers, **dict(_claimed_identity(admin))}
    response = gateway.request(
        binding.verb, path, headers=headers, json={} if binding.verb in ("POST", "PUT") else None
    )
    assert response.status_code == 403, response.text
    info = error_info(response)
    assert (info["reason"], info["domain"], info["metadata"]) == (
        "ROLE_NOT_ALLOWED",
        f"pulseone.{service}",
        {"role": "PATIENT"},
    )
