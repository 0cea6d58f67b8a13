"""Auditing is a property of the contract: every method that reads or changes clinical data declares
it, and every declaration names fields that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from google.api import annotations_pb2
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool
from pulseone.authz.v1 import authz_pb2

DESCRIPTOR_SET = Path(__file__).resolve().parents[3] / "gen" / "pulseone.pb"

# Messages that carry clinical data (SPEC 2 and 5): medical profiles, appointments and what they
# record, consultation notes, the live queue, consents, prescriptions. A method taking or returning one, at any
# depth, is audited.
CLINICAL = {
    "pulseone.profile.v1.Patient",
    "pulseone.profile.v1.PatientMatch",
    "pulseone.profile.v1.Consent",
    "pulseone.appointments.v1.Appointment",
    "pulseone.appointments.v1.StatusChange",
    "pulseone.appointments.v1.ConsultationNotes",
    "pulseone.appointments.v1.QueueEntry",
    "pulseone.appointments.v1.Position",
    "pulseone.prescriptions.v1.Prescription",
}


def _pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file:
        pool.Add(file)
    return pool


POOL = _pool()
METHODS = [
    method
    for file in descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file
    if file.package.startswith("pulseone.")
    for service in file.service
    for method in POOL.FindServiceByName(f"{file.package}.{service.name}").methods
]


def _rule(method: descriptor.MethodDescriptor) -> authz_pb2.Rule:
    options = descriptor_pb2.MethodOptions.FromString(method.GetOptions().SerializeToString())
    extension: Any = authz_pb2.rule
    return authz_pb2.Rule.FromString(options.Extensions[extension].SerializeToString())


def _carries_clinical(message: descriptor.Descriptor, seen: set[str] | None = None) -> bool:
    seen = seen if seen is not None else set()
    if message.full_name in CLINICAL:
        return True
    seen.add(message.full_name)
    return any(
        _carries_clinical(f.message_type, seen)
        for f in message.fields
        if f.message_type is not None and f.message_type.full_name not in seen
    )


def _resolves(message: descriptor.Descriptor, path: str) -> bool:
    *parents, last = path.split(".")
    for name in parents:
        field = message.fields_by_name.get(name)
        if field is None or field.message_type is None:
            return False
        message = field.message_type
    return last in message.fields_by_name


def test_clinical_messages_exist() -> None:
    for name in CLINICAL:
        assert POOL.FindMessageTypeByName(name)


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.full_name)
def test_every_method_touching_clinical_data_declares_an_audit(method: descriptor.MethodDescriptor) -> None:
    if _carries_clinical(method.input_type) or _carries_clinical(method.output_type):
        assert _rule(method).HasField("audit"), f"{method.full_name} carries clinical data but declares no audit"


@pytest.mark.parametrize("method", [m for m in METHODS if _rule(m).HasField("audit")], ids=lambda m: m.full_name)
def test_audit_declarations_name_fields_that_exist(method: descriptor.MethodDescriptor) -> None:
    audit = _rule(method).audit
    assert re.fullmatch(r"[A-Z][A-Z_]*", audit.action), audit.action
    assert re.fullmatch(r"[a-z][a-z_]*", audit.resource_type), audit.resource_type
    assert audit.response_ids or audit.request_ids, "an audit names no resource"
    for path in audit.response_ids:
        assert _resolves(method.output_type, path), f"{path} is not a field path of {method.output_type.full_name}"
    for request_id in audit.request_ids:
        assert _resolves(method.input_type, request_id.field), f"{request_id.field} is not a field of the request"
        assert re.fullmatch(r"([a-z][a-z_]*)?", request_id.resource_type), request_id.resource_type


def _changes_data(method: descriptor.MethodDescriptor) -> bool:
    options = descriptor_pb2.MethodOptions.FromString(method.GetOptions().SerializeToString())
    http = options.Extensions[annotations_pb2.http]
    return bool(http.post or http.put or http.delete or http.patch)


@pytest.mark.parametrize("method", [m for m in METHODS if _rule(m).HasField("audit")], ids=lambda m: m.full_name)
def test_a_method_that_changes_clinical_data_is_recorded_before_it_runs(method: descriptor.MethodDescriptor) -> None:
    """Every audited method bound to POST, PUT or DELETE declares `changes`, so a change that commits
    is on the trail as STARTED even if the call fails or is cancelled afterwards."""
    assert _rule(method).audit.changes == _changes_data(method), method.full_name


def _holder(message: descriptor.Descriptor, path: str) -> descriptor.Descriptor:
    """The message that holds the last field of a path."""
    for name in path.split(".")[:-1]:
        inner = message.fields_by_name[name].message_type
        assert inner is not None, f"{name} of {path} is no message"
        message = inner
    return message


@pytest.mark.parametrize("method", [m for m in METHODS if _rule(m).HasField("audit")], ids=lambda m: m.full_name)
def test_a_declared_patient_is_a_field_beside_each_id(method: descriptor.MethodDescriptor) -> None:
    """`patient_field` names a field of the message holding each response id; `request_patient_field` a
    request field: so every entry's patient is read from the same item as its resource."""
    audit = _rule(method).audit
    if audit.patient_field:
        assert audit.response_ids, "a patient_field needs response_ids"
        for path in audit.response_ids:
            holder = _holder(method.output_type, path)
            assert _resolves(holder, audit.patient_field), f"{audit.patient_field} is not beside {path}"
    if audit.request_patient_field:
        assert _resolves(method.input_type, audit.request_patient_field), audit.request_patient_field


# Audited methods whose messages cannot name the patient: session-wide changes (no one patient), and
# calls whose request and reply carry only an appointment or session id.
PATIENT_UNKNOWN = {
    "pulseone.appointments.v1.SessionService.DeactivateSession",
    "pulseone.appointments.v1.SessionService.CreateOverride",
    "pulseone.appointments.v1.AppointmentService.ListStatusChanges",
    "pulseone.appointments.v1.QueueService.GetPosition",
    "pulseone.video.v1.VideoService.ControlRecording",
    "pulseone.video.v1.VideoService.DownloadRecording",
}


@pytest.mark.parametrize("method", [m for m in METHODS if _rule(m).HasField("audit")], ids=lambda m: m.full_name)
def test_every_audited_method_names_the_patient_where_its_messages_know_it(
    method: descriptor.MethodDescriptor,
) -> None:
    audit = _rule(method).audit
    named = bool(audit.patient_field or audit.request_patient_field)
    assert named != (method.full_name in PATIENT_UNKNOWN), method.full_name
