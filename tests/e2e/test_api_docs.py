"""The REST API's document and docs page, served by the gateway, and schemathesis run against the live
gateway from that document with a token of each role: no 5xx, every 4xx in SPEC's error shape, and
replies that match the document."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scripts.gen import DOCS_PAGE, OPENAPI
from scripts.platform import Platform
from tests.e2e.conftest import Account, register
from tests.e2e.test_profiles import approve

SCHEMA = schemathesis.openapi.from_path(OPENAPI)
# Generated calls per operation and role; raise it for a deeper run (the CI budget fits the default).
EXAMPLES = int(os.environ.get("PULSEONE_FUZZ_EXAMPLES", "4"))
ROLES = ("PATIENT", "DOCTOR", "CLINIC_ADMIN", "PHARMACY", "SYSTEM_ADMIN")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


def test_the_gateway_serves_the_document_without_a_token(gateway: httpx.Client) -> None:
    response = gateway.get("/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(OPENAPI.read_text())
    assert gateway.head("/openapi.json").status_code == 200
    # A query string (a cache buster) changes nothing: the same document.
    assert gateway.get("/openapi.json", params={"v": "1"}).json() == response.json()


def test_the_gateway_serves_the_docs_page(gateway: httpx.Client) -> None:
    response = gateway.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == DOCS_PAGE.read_text()
    assert "BookAppointment" in response.text
    assert gateway.get("/docs", params={"lang": "en"}).text == response.text


def test_only_reading_the_document_is_answered(gateway: httpx.Client) -> None:
    """A POST there is no route of the API: 404 in SPEC's shape, like any unknown route."""
    response = gateway.post("/openapi.json", json={})
    assert response.status_code == 404
    assert set(response.json()) >= {"code", "message", "details"}


@pytest.fixture(scope="module")
def tokens(gateway: httpx.Client, admin: Account) -> dict[str, str]:
    """A fresh account of every role (approved where approval exists), so what the fuzzer changes
    stays with accounts of its own."""
    found = {"SYSTEM_ADMIN": admin.access_token}
    for role in ROLES[:-1]:
        account = register(gateway, role)
        if role != "PATIENT":
            account = approve(gateway, admin, account)
        found[role] = account.access_token
    return found


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]],
    role: str,
    platform: Platform,
    tokens: dict[str, str],
) -> None:
    case.call_and_validate(
        base_url=platform.gateway_url, headers={"authorization": f"Bearer {tokens[role]}"}, checks=CHECKS, timeout=30
    )
