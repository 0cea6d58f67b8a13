"""The whole platform as child processes (PostgreSQL, NATS, services, Envoy), called through the gateway."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from scripts.platform import SERVICES, Platform
from scripts.stack import ROOT, free_port
from tests.conftest import scratch_dir

PASSWORD = "correct horse 1"
# Services the e2e platform runs two replicas of, behind Envoy and behind their callers' channels:
# every e2e test runs against them, and tests/e2e/test_replicas.py races them.
REPLICATED = {"appointments": 2, "inventory": 2}


def platform_settings() -> dict[str, Any]:
    """What every platform an e2e test starts shares: free ports, a database that skips fsync, room
    for many registrations and logins from one address, and a long JWKS cache."""
    return {
        "gateway_port": free_port(),
        "admin_port": free_port(),
        "postgres_port": free_port(),
        "nats_port": free_port(),
        "nats_monitor_port": free_port(),
        "service_ports": {s.name: free_port() for s in SERVICES},
        "durable": False,
        "gateway_auth_burst": 1000,
        "jwks_cache": timedelta(minutes=10),
    }


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    state = scratch_dir("pulseone-e2e-")
    running = Platform(
        state,
        replicas=REPLICATED,
        metrics_ports={f"{name}-{n}" if n > 1 else name: free_port() for name in REPLICATED for n in (1, 2)},
        **platform_settings(),
    )
    running.start()
    yield running
    running.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def gateway(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as client:
        yield client


def source_address_client(base_url: str, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (another 'client address')."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, timeout=10, transport=transport)


@dataclass
class Account:
    id: str
    email: str
    access_token: str
    refresh_token: str
    body: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.access_token}"}


def register(client: httpx.Client, role: str = "PATIENT", **fields: Any) -> Account:
    body: dict[str, Any] = {
        "email": f"{role.lower()}-{uuid.uuid4().hex[:10]}@example.com",
        "password": PASSWORD,
        "role": role,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "phoneNumber": "+94 77 123 4567",
    }
    if role == "CLINIC_ADMIN":
        body["clinic"] = {
            "name": "Lanka Clinic",
            "address": "1 Galle Rd",
            "phone": "+94 11 234 5678",
            "timeZone": "Asia/Colombo",
        }
    if role == "PHARMACY":
        body["pharmacy"] = {"name": "Green Pharmacy", "licenseNumber": uuid.uuid4().hex, "address": "2 Main St"}
    body.update(fields)
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    return Account(data["user"]["id"], data["user"]["email"], data["accessToken"], data["refreshToken"], data)


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/auth/login", json={"email": email, "password": password})


@pytest.fixture(scope="session")
def admin(platform: Platform, gateway: httpx.Client) -> Account:
    return first_admin(platform, gateway)


def first_admin(platform: Platform, gateway: httpx.Client) -> Account:
    """The first SYSTEM_ADMIN, created with the operator command as an operator would."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    env = {
        **os.environ,
        "PULSEONE_DATABASE_URL": platform.server_url(),
        "PULSEONE_ADMIN_PASSWORD": PASSWORD,
    }
    result = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "admin", "create", "--email", email],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    response = login(gateway, email)
    assert response.status_code == 200, response.text
    data = response.json()
    return Account(data["user"]["id"], email, data["accessToken"], data["refreshToken"], data)


def error_info(response: httpx.Response) -> dict[str, Any]:
    """The ErrorInfo detail of a SPEC-shaped error body `{code, message, details}`."""
    body = response.json()
    assert set(body) >= {"code", "message", "details"}, body
    infos = [d for d in body["details"] if d.get("@type", "").endswith("google.rpc.ErrorInfo")]
    assert len(infos) == 1, body
    info: dict[str, Any] = infos[0]
    return info


def field_violations(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    found: dict[str, str] = {}
    for detail in body["details"]:
        if detail.get("@type", "").endswith("google.rpc.BadRequest"):
            found.update({v["field"]: v.get("reason", "") for v in detail["fieldViolations"]})
    return found
