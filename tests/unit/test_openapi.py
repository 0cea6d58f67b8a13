"""The OpenAPI document generated from the protos: every REST binding, in the proto3 JSON mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.contract import load_methods
from scripts.gen import DESCRIPTOR_SET, DOCS_PAGE, OPENAPI
from scripts.openapi import document, html


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return document(DESCRIPTOR_SET)


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, entries in spec["paths"].items():
        for verb, operation in entries.items():
            yield verb, path, operation


def refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def schema_of(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def test_every_rest_binding_is_one_operation_naming_its_grpc_method(spec: dict[str, Any]) -> None:
    bound = sorted(
        (binding.verb.lower(), binding.template.replace("=**", ""), method.grpc_path)
        for method in load_methods(DESCRIPTOR_SET)
        for binding in method.bindings
    )
    documented = sorted((verb, path, operation["x-grpc-method"]) for verb, path, operation in operations(spec))
    assert documented == bound
    ids = [operation["operationId"] for _, _, operation in operations(spec)]
    assert len(ids) == len(set(ids))


def test_public_methods_need_no_token_and_the_rest_a_bearer_token(spec: dict[str, Any]) -> None:
    public = {method.grpc_path for method in load_methods(DESCRIPTOR_SET) if method.public and method.bindings}
    assert "/pulseone.auth.v1.AuthService/Login" in public
    for _, _, operation in operations(spec):
        if operation["x-grpc-method"] in public:
            assert operation["security"] == []
            assert "401" not in operation["responses"]
        else:
            assert operation["security"] == [{"bearer": []}]
            assert operation["responses"]["401"] == {"$ref": "#/components/responses/401"}
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    for ref in set(refs(spec)):
        section, name = ref.removeprefix("#/components/").split("/", 1)
        assert name in spec["components"][section], ref


def test_fields_are_named_and_typed_as_the_transcoder_writes_them(spec: dict[str, Any]) -> None:
    appointment = schema_of(spec, "pulseone.appointments.v1.Appointment")["properties"]
    assert appointment["queueNumber"]["type"] == "integer"
    assert appointment["estimatedStartTime"]["format"] == "date-time"
    assert appointment["status"]["allOf"] == [
        {"$ref": "#/components/schemas/pulseone.appointments.v1.Appointment.Status"}
    ]
    assert appointment["status"]["description"]
    status = schema_of(spec, "pulseone.appointments.v1.Appointment.Status")
    assert {"BOOKED", "CHECKED_IN", "IN_PROGRESS", "COMPLETED", "CANCELLED"} <= set(status["enum"])
    assert "chief_complaint" not in appointment


def test_request_limits_and_comments_reach_the_document(spec: dict[str, Any]) -> None:
    book = spec["paths"]["/api/appointments"]["post"]
    body = book["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert body["chiefComplaint"] == {"type": "string", "maxLength": 2000, "description": "Why the patient comes."}
    assert book["summary"].startswith("BookAppointment books the lowest free place")
    prescribe = spec["paths"]["/api/prescriptions"]["post"]
    items = prescribe["requestBody"]["content"]["application/json"]["schema"]["properties"]["items"]
    assert items["maxItems"] == 20


def test_path_variables_are_parameters_and_not_body_fields(spec: dict[str, Any]) -> None:
    for verb, path, operation in operations(spec):
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(path.replace("}", "{").split("{")[1::2]), (verb, path)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        assert not declared & set(body.get("properties", {})), (verb, path)


def test_errors_have_specs_one_shape(spec: dict[str, Any]) -> None:
    error = schema_of(spec, "Error")
    assert error["required"] == ["code", "message", "details"]
    for _, _, operation in operations(spec):
        assert operation["responses"]["default"] == {"$ref": "#/components/responses/default"}
    for response in spec["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_committed_document_and_page_are_what_the_protos_make(spec: dict[str, Any]) -> None:
    assert json.loads(OPENAPI.read_text()) == spec
    assert DOCS_PAGE.read_text() == html(spec)


def test_the_docs_page_shows_every_operation_and_escapes_the_comments(spec: dict[str, Any]) -> None:
    page = html(spec)
    for _, _, operation in operations(spec):
        assert f"id='{operation['operationId']}'" in page
    assert "<script" not in page
    assert "doctor&#x27;s" in page  # an apostrophe of a comment, escaped


def test_an_audit_entrys_marks_are_not_held_to_the_uuid_pattern(spec: dict[str, Any]) -> None:
    """An entry's resource is "-" or "?" when the call named no id, and its request id is the
    caller's token; the filters are ids proper."""
    entry = schema_of(spec, "pulseone.audit.v1.AuditEntry")["properties"]
    assert "pattern" not in entry["resourceId"]
    assert "pattern" not in entry["requestId"]
    assert "pattern" in entry["patientId"]
    parameters = {p["name"]: p for p in spec["paths"]["/api/audit"]["get"]["parameters"]}
    assert "pattern" in parameters["resourceId"]["schema"]
