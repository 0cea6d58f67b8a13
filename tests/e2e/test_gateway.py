"""What the gateway itself guarantees: token checks at the edge, the error shape, no header smuggling,
per-address rate limits, gRPC and gRPC-Web on the same port, health."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import http.client
import json
import re
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.rpc import error_details_pb2, status_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from gateway.config import GatewaySettings, render
from gateway.contract import Binding, Method, load_methods
from scripts.platform import DESCRIPTOR_SET, SERVICES, Platform, ServiceSpec, service_spec
from scripts.stack import ROOT, Envoy, free_port, wait_until
from services.auth.crypto import KeyRing
from tests.e2e.conftest import Account, error_info, login, register, source_address_client
from tests.forged_tokens import hostile_tokens
from tests.rpc import failure_of

ROUTED = [m for m in load_methods(DESCRIPTOR_SET) if m.exposed and m.cluster in {s.name for s in SERVICES}]
PROTECTED_BINDINGS = [(m, b) for m in ROUTED if not m.public for b in m.bindings]
REST_BINDINGS = [b for m in ROUTED for b in m.bindings]
APP_ORIGIN = "https://app.example"


def token_for(platform: Platform, **claims: object) -> str:
    key = KeyRing(platform.key_ring).current()
    now = int(time.time())
    body: dict[str, object] = {
        "iss": "pulseone-auth",
        "aud": "pulseone",
        "sub": str(uuid.uuid4()),
        "role": "PATIENT",
        "status": "ACTIVE",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    body.update(claims)
    return jwt.encode(body, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"],
    ids=["missing", "garbage", "wrong-scheme"],
)
def test_protected_routes_need_a_valid_token_at_the_edge(gateway: httpx.Client, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization else {}
    response = gateway.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 16
    assert error_info(response)["domain"] == "pulseone.gateway"


@pytest.mark.parametrize(
    "claims",
    [{"exp": int(time.time()) - 60}, {"aud": "another-audience"}, {"iss": "https://evil.example"}],
    ids=["expired", "wrong-audience", "wrong-issuer"],
)
def test_expired_and_foreign_tokens_are_401_at_the_edge(
    platform: Platform, gateway: httpx.Client, claims: dict[str, object]
) -> None:
    response = gateway.get("/api/auth/me", headers={"authorization": f"Bearer {token_for(platform, **claims)}"})
    assert response.status_code == 401
    assert response.json()["code"] == 16
    assert error_info(response)["domain"] == "pulseone.gateway"


def test_a_token_the_edge_verified_before_is_refused_once_it_expires(platform: Platform, gateway: httpx.Client) -> None:
    """Envoy remembers verified tokens; what it remembers still expires. A token 57 s past its
    expiry is within Envoy's 60 s clock skew (the service, allowing none, refuses it itself); three
    seconds later the edge refuses it, though it verified the token before."""
    expiry = int(time.time()) - 57
    headers = {"authorization": f"Bearer {token_for(platform, exp=expiry)}"}
    passed = gateway.get("/api/sessions", headers=headers)
    assert passed.status_code == 401
    assert error_info(passed)["domain"] == "pulseone.appointments"
    while time.time() < expiry + GatewaySettings.clock_skew_seconds + 1:
        time.sleep(0.2)
    refused = gateway.get("/api/sessions", headers=headers)
    assert refused.status_code == 401
    assert error_info(refused)["domain"] == "pulseone.gateway"


def test_a_token_signed_by_a_stranger_is_401(gateway: httpx.Client) -> None:
    token = jwt.encode(
        {"iss": "pulseone-auth", "aud": "pulseone", "sub": str(uuid.uuid4()), "exp": int(time.time()) + 60},
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": "stranger"},
    )
    assert gateway.get("/api/auth/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


@pytest.fixture(scope="module")
def forgeries(platform: Platform) -> dict[str, str]:
    key = KeyRing(platform.key_ring).current()
    return hostile_tokens(key.kid, key.private_key.public_key())


@pytest.mark.parametrize("path", ["/api/auth/me", f"/api/profiles/{uuid.uuid4()}", "/api/sessions"])
def test_forged_token_headers_are_401_at_the_edge(gateway: httpx.Client, forgeries: dict[str, str], path: str) -> None:
    answers = {}
    for name, token in forgeries.items():
        response = gateway.get(path, headers={"authorization": f"Bearer {token}"})
        answers[name] = (response.status_code, error_info(response)["domain"])
    assert answers == dict.fromkeys(forgeries, (401, "pulseone.gateway"))


def test_forged_tokens_sent_to_verify_are_invalid(gateway: httpx.Client, forgeries: dict[str, str]) -> None:
    """The verify route is public, so these reach the auth service itself, not only the edge."""
    answers = {}
    for name, token in forgeries.items():
        response = gateway.post("/api/auth/verify", json={"token": token})
        answers[name] = (response.status_code, response.json().get("valid"))
    assert answers == dict.fromkeys(forgeries, (200, False))


def test_a_patient_calling_an_admin_route_is_403(gateway: httpx.Client) -> None:
    patient = register(gateway)
    response = gateway.get("/api/auth/users", headers=patient.headers)
    assert response.status_code == 403
    info = error_info(response)
    assert (info["reason"], info["domain"]) == ("ROLE_NOT_ALLOWED", "pulseone.auth")


def test_identity_headers_cannot_be_smuggled(gateway: httpx.Client, admin: Account) -> None:
    patient = register(gateway)
    smuggled = {
        "x-user-id": admin.id,
        "x-user-role": "SYSTEM_ADMIN",
        "x-jwt-payload": "eyJzdWIiOiJhZG1pbiJ9",
        "x-pulseone-user-id": admin.id,
        "x-pulseone-role": "SYSTEM_ADMIN",
    }
    assert gateway.get("/api/auth/users", headers={**patient.headers, **smuggled}).status_code == 403
    assert gateway.get("/api/auth/users", headers=smuggled).status_code == 401
    me = gateway.get("/api/auth/me", headers={**patient.headers, **smuggled})
    assert me.json()["id"] == patient.id


def test_unknown_ids_are_404_and_malformed_ids_400(gateway: httpx.Client, admin: Account) -> None:
    unknown = gateway.post(f"/api/auth/users/{uuid.uuid4()}/approve", headers=admin.headers)
    assert unknown.status_code == 404
    assert error_info(unknown)["reason"] == "USER_NOT_FOUND"
    malformed = gateway.post("/api/auth/users/42/approve", headers=admin.headers)
    assert malformed.status_code == 400
    assert error_info(malformed)["reason"] == "VALIDATION_FAILED"


def test_a_taken_email_is_409(gateway: httpx.Client) -> None:
    patient = register(gateway)
    response = gateway.post(
        "/api/auth/register",
        json={
            "email": patient.email.upper(),
            "password": "correct horse 1",
            "role": "PATIENT",
            "firstName": "A",
            "lastName": "B",
        },
    )
    assert response.status_code == 409
    assert error_info(response)["reason"] == "EMAIL_TAKEN"


def test_repeated_failed_logins_are_429_with_retry_after(gateway: httpx.Client) -> None:
    patient = register(gateway)
    for _ in range(5):
        assert login(gateway, patient.email, "wrong password 1").status_code == 401
    locked = login(gateway, patient.email)
    assert locked.status_code == 429
    info = error_info(locked)
    assert info["reason"] == "TOO_MANY_ATTEMPTS"
    assert int(info["metadata"]["retryAfterSeconds"]) > 0


def test_the_gateway_replies_to_bad_requests_in_the_error_shape(gateway: httpx.Client) -> None:
    unknown_route = gateway.get("/api/nowhere")
    assert unknown_route.status_code == 404
    assert unknown_route.json()["code"] == 5
    assert error_info(unknown_route)["domain"] == "pulseone.gateway"
    malformed = gateway.post("/api/auth/login", content=b'{"email": ', headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.json()["code"] == 3
    unknown_parameter = gateway.get("/.well-known/jwks.json", params={"colour": "red"})
    assert unknown_parameter.status_code == 400


def test_native_grpc_through_the_gateway(platform: Platform) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        email = f"grpc-{uuid.uuid4().hex[:8]}@example.com"
        registered = stub.Register(
            auth_pb2.RegisterRequest(
                email=email, password="correct horse 1", role="PATIENT", first_name="G", last_name="R"
            )
        )
        me = stub.GetCurrentUser(
            auth_pb2.GetCurrentUserRequest(), metadata=(("authorization", f"Bearer {registered.access_token}"),)
        )
        assert me.email == email
        with pytest.raises(grpc.RpcError) as raised:
            stub.GetCurrentUser(auth_pb2.GetCurrentUserRequest())
        assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as raised:
            stub.ListUsers(
                auth_pb2.ListUsersRequest(), metadata=(("authorization", f"Bearer {registered.access_token}"),)
            )
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_grpc_web_through_the_gateway(gateway: httpx.Client) -> None:
    frame = b"\x00" + struct.pack(">I", 0)  # an empty GetJwksRequest
    response = gateway.post(
        "/pulseone.auth.v1.AuthService/GetJwks",
        content=frame,
        headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/grpc-web")
    body = response.content
    assert body[0] == 0
    length = struct.unpack(">I", body[1:5])[0]
    trailer = body[5 + length :]
    assert trailer[0] == 0x80
    assert b"grpc-status:0" in trailer


def grpc_web_call(gateway: httpx.Client, path: str, content_type: str = "application/grpc-web+proto") -> httpx.Response:
    """A gRPC-Web call with an empty message."""
    return gateway.post(path, content=b"\x00" + struct.pack(">I", 0), headers={"content-type": content_type})


def gateway_status(response: httpx.Response) -> tuple[str, str, str]:
    """grpc-status and the ErrorInfo reason and domain of a trailers-only gRPC-Web reply."""
    details = response.headers["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(details + "=" * (-len(details) % 4)))
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert str(status.code) == response.headers["grpc-status"]
    return response.headers["grpc-status"], info.reason, info.domain


def test_grpc_web_callers_get_the_gateways_own_status(gateway: httpx.Client) -> None:
    unauthenticated = grpc_web_call(gateway, "/pulseone.auth.v1.AuthService/GetCurrentUser")
    assert unauthenticated.status_code == 200
    assert gateway_status(unauthenticated) == ("16", "UNAUTHENTICATED", "pulseone.gateway")
    unknown = grpc_web_call(gateway, "/pulseone.auth.v1.AuthService/NoSuchMethod")
    assert gateway_status(unknown) == ("5", "ROUTE_NOT_FOUND", "pulseone.gateway")
    malformed = gateway.post(
        "/pulseone.auth.v1.AuthService/GetJwks", content=b"abc", headers={"content-type": "application/grpc-web-text"}
    )
    assert gateway_status(malformed) == ("3", "INVALID_REQUEST", "pulseone.gateway")


def test_grpc_callers_get_the_gateways_error_details(platform: Platform) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel, pytest.raises(grpc.RpcError) as raised:
        auth_pb2_grpc.AuthServiceStub(channel).GetCurrentUser(auth_pb2.GetCurrentUserRequest())
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason, failure.domain) == (
        grpc.StatusCode.UNAUTHENTICATED,
        "UNAUTHENTICATED",
        "pulseone.gateway",
    )


def test_browsers_may_call_from_other_origins(gateway: httpx.Client) -> None:
    preflight = gateway.options(
        "/pulseone.auth.v1.AuthService/GetCurrentUser",
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, x-grpc-web",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    response = gateway.get("/.well-known/jwks.json", headers={"origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize(
    "content_type", ["application/grpc-web", "application/grpc-web+proto", "application/grpc-web-text"]
)
@pytest.mark.parametrize(("verb", "path"), [("GET", "/api/auth/me"), ("POST", "/api/auth/login")])
def test_grpc_content_on_a_rest_path_is_refused_as_a_client_error(
    gateway: httpx.Client, content_type: str, verb: str, path: str
) -> None:
    patient = register(gateway)
    response = gateway.request(
        verb, path, content=b"{}", headers={**patient.headers, "content-type": content_type, "x-grpc-web": "1"}
    )
    assert response.status_code == 415, response.headers
    assert response.json()["code"] == 3
    info = error_info(response)
    assert (info["reason"], info["domain"]) == ("UNSUPPORTED_CONTENT_TYPE", "pulseone.gateway")
    assert "x-envoy-upstream-service-time" not in response.headers


def test_a_grpc_call_on_a_rest_path_is_invalid_argument(platform: Platform) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel:
        call = channel.unary_unary("/api/auth/login", request_serializer=bytes, response_deserializer=bytes)
        with pytest.raises(grpc.RpcError) as raised:
            call(b"")
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert '"reason":"UNSUPPORTED_CONTENT_TYPE"' in raised.value.details()


def oversized_login(size: int) -> bytes:
    return json.dumps({"email": f"big-{uuid.uuid4().hex[:8]}@example.com", "password": "x" * size}).encode()


@pytest.mark.parametrize("size", [GatewaySettings.max_request_bytes + 1, 10_000_000], ids=["just-over", "10MB"])
def test_an_oversized_rest_body_is_413_from_the_gateway(gateway: httpx.Client, size: int) -> None:
    response = gateway.post(
        "/api/auth/login", content=oversized_login(size), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == 3
    info = error_info(response)
    assert (info["reason"], info["domain"]) == ("REQUEST_TOO_LARGE", "pulseone.gateway")
    assert "x-envoy-upstream-service-time" not in response.headers


def test_a_body_within_the_limit_reaches_the_service(gateway: httpx.Client) -> None:
    response = gateway.post("/api/auth/login", content=oversized_login(GatewaySettings.max_request_bytes // 2))
    assert response.status_code != 413
    assert "x-envoy-upstream-service-time" in response.headers


def test_an_oversized_grpc_message_is_refused_with_a_clean_status(platform: Platform) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel, pytest.raises(grpc.RpcError) as raised:
        auth_pb2_grpc.AuthServiceStub(channel).Login(auth_pb2.LoginRequest(email="a@example.com", password="x" * 2**21))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason, failure.domain) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "REQUEST_TOO_LARGE",
        "pulseone.gateway",
    )


@pytest.mark.parametrize("content_type", ["application/grpc-web+proto", "application/grpc-web-text"])
def test_an_oversized_grpc_web_message_is_refused_with_a_clean_status(gateway: httpx.Client, content_type: str) -> None:
    message = auth_pb2.LoginRequest(email="a@example.com", password="x" * 2**21).SerializeToString()
    frame = b"\x00" + struct.pack(">I", len(message)) + message
    body = base64.b64encode(frame) if content_type.endswith("text") else frame
    response = gateway.post("/pulseone.auth.v1.AuthService/Login", content=body, headers={"content-type": content_type})
    assert response.status_code == 200
    assert gateway_status(response) == ("3", "REQUEST_TOO_LARGE", "pulseone.gateway")
    assert "x-envoy-upstream-service-time" not in response.headers


INTERNAL_WORDS = ("x-envoy", "x-forwarded", ":path", "upstream", "reset", "metadata")


@pytest.mark.parametrize(
    ("path", "headers"),
    [(f"/api/auth/users/{'a' * 20_000}", {}), ("/api/auth/me", {"x-padding": "a" * 70_000})],
    ids=["20KB-url", "70KB-header"],
)
def test_a_request_head_too_large_is_431_as_a_client_error(
    gateway: httpx.Client, path: str, headers: dict[str, str]
) -> None:
    patient = register(gateway)
    response = gateway.get(path, headers={**patient.headers, **headers})
    assert response.status_code == 431
    assert response.json()["code"] == 3
    info = error_info(response)
    assert (info["reason"], info["domain"]) == ("REQUEST_HEADERS_TOO_LARGE", "pulseone.gateway")
    assert not any(word in response.text.lower() for word in INTERNAL_WORDS), response.text


def test_a_long_url_within_the_gateways_limit_is_answered_by_the_service(gateway: httpx.Client) -> None:
    patient = register(gateway)
    for _ in range(5):  # a service between gRPC's soft and hard metadata limits refuses at random
        response = gateway.get(f"/api/auth/users/{'a' * 12_000}", headers=patient.headers)
        assert response.status_code in (400, 403), response.text
        assert error_info(response)["domain"] == "pulseone.auth"


def test_an_http_1_0_request_is_refused_as_a_client_error(platform: Platform) -> None:
    with socket.create_connection(("127.0.0.1", platform.gateway_port), timeout=10) as connection:
        connection.sendall(b"GET /api/auth/me HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 426")
    assert json.loads(body)["code"] == 3


def test_health_reports_serving_rather_than_an_error(gateway: httpx.Client) -> None:
    assert gateway.get("/health").json() == {"status": "SERVING"}


def test_reflection_and_health_stay_on_the_service_ports(platform: Platform) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        with pytest.raises(grpc.RpcError) as raised:
            list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        assert raised.value.code() in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.NOT_FOUND)
    with grpc.insecure_channel(f"127.0.0.1:{platform.service_ports['auth']}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"pulseone.auth.v1.AuthService", "grpc.health.v1.Health"} <= names


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_grpcurl_lists_and_health_checks_every_service_on_its_own_port(platform: Platform, spec: ServiceSpec) -> None:
    grpcurl = str(ROOT / ".venv" / "bin" / "grpcurl")
    address = f"127.0.0.1:{platform.service_ports[spec.name]}"
    listed = subprocess.run(
        [grpcurl, "-plaintext", address, "list"], capture_output=True, text=True, timeout=30, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert {spec.grpc_service, "grpc.health.v1.Health"} <= set(listed.stdout.split())
    request = json.dumps({"service": spec.grpc_service})
    health = subprocess.run(
        [grpcurl, "-plaintext", "-d", request, address, "grpc.health.v1.Health/Check"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout) == {"status": "SERVING"}


def direct_failed_logins(platform: Platform, email: str, forwarded_for: list[str]) -> list[grpc.StatusCode]:
    """Wrong-password logins sent straight to the auth service's port, each naming an address."""
    codes = []
    with grpc.insecure_channel(f"127.0.0.1:{platform.service_ports['auth']}") as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        for address in forwarded_for:
            with pytest.raises(grpc.RpcError) as raised:
                stub.Login(
                    auth_pb2.LoginRequest(email=email, password="wrong password 1"),
                    metadata=(("x-forwarded-for", address), ("x-envoy-external-address", address)),
                )
            codes.append(raised.value.code())
    return codes


def test_a_forged_forwarded_address_cannot_lock_a_victim_out(platform: Platform, gateway: httpx.Client) -> None:
    victim = register(gateway)
    direct_failed_logins(platform, victim.email, ["127.0.0.7"] * 6)
    with source_address_client(platform.gateway_url, "127.0.0.7") as victims_client:
        assert login(victims_client, victim.email).status_code == 200


def test_rotating_a_forged_forwarded_address_does_not_escape_throttling(
    platform: Platform, gateway: httpx.Client
) -> None:
    target = register(gateway)
    codes = direct_failed_logins(platform, target.email, [f"10.9.8.{i}" for i in range(6)])
    assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 5 + [grpc.StatusCode.RESOURCE_EXHAUSTED]


def test_through_the_gateway_logins_are_throttled_per_real_client_address(
    platform: Platform, gateway: httpx.Client
) -> None:
    patient = register(gateway)
    with (
        source_address_client(platform.gateway_url, "127.0.0.8") as attacker,
        source_address_client(platform.gateway_url, "127.0.0.9") as owner,
    ):
        forged = {"x-forwarded-for": "127.0.0.9"}
        statuses = [
            attacker.post(
                "/api/auth/login", json={"email": patient.email, "password": "wrong password 1"}, headers=forged
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [401] * 5 + [429]
        assert login(owner, patient.email).status_code == 200


@contextlib.contextmanager
def second_gateway(platform: Platform, **changes: Any) -> Iterator[str]:
    """Another Envoy over the same services, with some settings changed; yields its URL."""
    settings = dataclasses.replace(
        platform.gateway_settings(), listen_port=free_port(), admin_port=free_port(), **changes
    )
    envoy = Envoy(
        platform.state / f"envoy-{settings.listen_port}", render(settings), settings.admin_port, platform.gateway_env()
    )
    envoy.start()
    url = f"http://127.0.0.1:{settings.listen_port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/health").status_code == 200, 30, "the second gateway")
        yield url
    finally:
        envoy.stop()


@pytest.fixture
def strict_gateway(platform: Platform) -> Iterator[str]:
    """A tiny per-address budget for register and login."""
    with second_gateway(platform, auth_burst=3) as url:
        yield url


def test_register_and_login_are_rate_limited_per_client_address(strict_gateway: str) -> None:
    bad_registration = {"email": "x", "password": "y", "role": "PATIENT"}
    bad_login = {"email": "nobody@example.com", "password": "wrong password 1"}
    with (
        source_address_client(strict_gateway, "127.0.0.5") as first,
        source_address_client(strict_gateway, "127.0.0.6") as second,
    ):
        statuses = [first.post("/api/auth/register", json=bad_registration).status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
        statuses = [first.post("/api/auth/login", json=bad_login).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        limited = first.post("/api/auth/login", json=bad_login)
        assert limited.json()["code"] == 8
        assert error_info(limited)["domain"] == "pulseone.gateway"
        # Another client address has its own budget.
        assert second.post("/api/auth/register", json=bad_registration).status_code == 400


def test_health_is_200_when_every_service_is_up_and_503_when_one_is_down(
    platform: Platform, gateway: httpx.Client
) -> None:
    patient = register(gateway)
    assert gateway.get("/health").status_code == 200
    platform.stop_service("auth")
    try:
        wait_until(lambda: gateway.get("/health").status_code == 503, 20, "/health to report the outage")
        down = gateway.get("/health")
        assert down.json()["code"] == 14
        # The gateway still accepts the valid token from its cached JWKS: the call fails because
        # the service is down (503), not because the token could not be checked (401).
        during = gateway.get("/api/auth/me", headers=patient.headers)
        assert during.status_code == 503
        assert during.json()["code"] == 14
        assert not any(word in during.text.lower() for word in INTERNAL_WORDS), during.text
    finally:
        spec = service_spec("auth")
        platform.start_service(spec)
        platform.wait_serving(spec)
        wait_until(lambda: gateway.get("/health").status_code == 200, 30, "/health to recover")
    assert gateway.get("/api/auth/me", headers=patient.headers).status_code == 200


def send_raw(platform: Platform, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """One HTTP/1.1 request with the path exactly as given (httpx would normalise it first)."""
    body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
    connection = http.client.HTTPConnection("127.0.0.1", platform.gateway_port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {"content-type": "application/json", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.putheader("content-length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        return httpx.Response(reply.status, headers=reply.getheaders(), content=reply.read())
    finally:
        connection.close()


def upstream_requests(platform: Platform) -> int:
    """Requests the gateway has forwarded to the services so far."""
    stats = httpx.get(
        f"http://127.0.0.1:{platform.admin_port}/stats",
        params={"filter": r"^cluster\.[a-z]+\.upstream_rq_total$"},
        timeout=5,
    )
    return sum(
        int(value)
        for name, _, value in (line.partition(": ") for line in stats.text.splitlines())
        if name.split(".")[1] in {s.name for s in SERVICES}
    )


def sample_path(binding: Binding) -> str:
    """The binding's template with a fresh UUID for every variable."""
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), binding.template)


def same_method_spellings(path: str) -> dict[str, str]:
    """Spellings Envoy's normalisation or the transcoder's matching take for the bound path itself."""
    first, _, rest = path[1:].partition("/")
    return {
        "as bound": path,
        "trailing slash": path + "/",
        "double slashes": path.replace("/", "//"),
        "dot segment": f"/{first}/./{rest}",
        "parent segment": f"/{first}/x/../{rest}",
        "percent-encoded letter": f"/%{ord(first[0]):02X}{first[1:]}/{rest}",
        "empty query": path + "?",
    }


def other_spellings(path: str) -> dict[str, str]:
    """Spellings that name no method, or not validly: the gateway refuses them itself."""
    head, _, last = path.rpartition("/")
    return {
        "upper case": path.upper(),
        "path parameter": path + ";x=1",
        "unknown query parameter": path + "?debug=1",
        "encoded slash": f"{head}%2F{last}",
    }


def assert_refused_by_the_gateway(response: httpx.Response, what: str) -> None:
    assert "x-envoy-upstream-service-time" not in response.headers, f"{what} reached a service"
    assert error_info(response)["domain"] == "pulseone.gateway", what


@pytest.mark.parametrize(
    ("method", "binding"), PROTECTED_BINDINGS, ids=[f"{b.verb} {b.template}" for _, b in PROTECTED_BINDINGS]
)
def test_no_spelling_of_a_protected_rest_path_passes_the_edge_without_a_token(
    platform: Platform, method: Method, binding: Binding
) -> None:
    path = sample_path(binding)
    before = upstream_requests(platform)
    for what, spelling in same_method_spellings(path).items():
        response = send_raw(platform, binding.verb, spelling)
        assert response.status_code == 401, f"{what}: {binding.verb} {spelling} -> {response.status_code}"
        assert response.json()["code"] == 16
        assert_refused_by_the_gateway(response, f"{what}: {binding.verb} {spelling}")
    for what, spelling in other_spellings(path).items():
        response = send_raw(platform, binding.verb, spelling)
        assert response.status_code in (400, 401, 404), f"{what}: {binding.verb} {spelling} -> {response.status_code}"
        assert_refused_by_the_gateway(response, f"{what}: {binding.verb} {spelling}")
    assert upstream_requests(platform) == before, f"a spelling of {binding.verb} {binding.template} reached a service"


PROTECTED_METHODS = [m for m in ROUTED if not m.public]


@pytest.mark.parametrize("method", PROTECTED_METHODS, ids=[m.grpc_path for m in PROTECTED_METHODS])
def test_no_spelling_of_a_protected_grpc_path_passes_the_edge_without_a_token(
    platform: Platform, method: Method
) -> None:
    before = upstream_requests(platform)
    spellings = {**same_method_spellings(method.grpc_path), **other_spellings(method.grpc_path)}
    for what, spelling in spellings.items():
        response = send_raw(platform, "POST", spelling, {"content-type": "application/grpc", "te": "trailers"})
        assert "x-envoy-upstream-service-time" not in response.headers, f"{what}: {spelling} reached a service"
        assert response.headers.get("grpc-status") in ("3", "5", "16"), f"{what}: {spelling} -> {response.headers}"
    assert upstream_requests(platform) == before, f"a spelling of {method.grpc_path} reached a service"


@pytest.fixture(scope="module")
def one_origin_gateway(platform: Platform) -> Iterator[httpx.Client]:
    """A gateway that allows browsers from APP_ORIGIN only."""
    with second_gateway(platform, cors_origins=(APP_ORIGIN,)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def preflight(client: httpx.Client, binding: Binding, origin: str) -> httpx.Response:
    return client.options(
        sample_path(binding),
        headers={
            "origin": origin,
            "access-control-request-method": binding.verb,
            "access-control-request-headers": "authorization, content-type",
        },
    )


@pytest.mark.parametrize("binding", REST_BINDINGS, ids=[f"{b.verb} {b.template}" for b in REST_BINDINGS])
def test_browsers_may_call_every_rest_path_from_an_allowed_origin(
    one_origin_gateway: httpx.Client, binding: Binding
) -> None:
    allowed = preflight(one_origin_gateway, binding, APP_ORIGIN)
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert binding.verb in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"]


@pytest.mark.parametrize("binding", REST_BINDINGS, ids=[f"{b.verb} {b.template}" for b in REST_BINDINGS])
def test_browsers_from_other_origins_are_not_allowed_on_any_rest_path(
    one_origin_gateway: httpx.Client, binding: Binding
) -> None:
    refused = preflight(one_origin_gateway, binding, "https://evil.example")
    assert "access-control-allow-origin" not in refused.headers
    assert "x-envoy-upstream-service-time" not in refused.headers


def test_actual_calls_name_only_an_allowed_origin(one_origin_gateway: httpx.Client) -> None:
    allowed = one_origin_gateway.get("/.well-known/jwks.json", headers={"origin": APP_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    refused = one_origin_gateway.get("/.well-known/jwks.json", headers={"origin": "https://evil.example"})
    assert refused.status_code == 200
    assert "access-control-allow-origin" not in refused.headers
