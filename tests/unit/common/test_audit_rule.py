"""What the trail records of a call: one entry per resource, each naming its own patient."""

from __future__ import annotations

import uuid

from pulseone.appointments.v1 import appointments_pb2, resources_pb2
from pulseone.profile.v1 import profile_pb2
from pulseone.profile.v1 import resources_pb2 as profile_resources

from services.common.audit import NO_RESOURCE, AuditRule, Outcome, outcome_of
from services.common.errors import DeadlineExceeded

LIST_APPOINTMENTS = AuditRule(
    action="LIST",
    resource_type="appointment",
    response_ids=("appointments.id",),
    request_ids=(("patient_id", "patient"), ("doctor_id", "doctor")),
    changes=False,
    patient_field="patient_id",
    request_patient_field="patient_id",
)


def ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def test_each_listed_item_names_its_own_patient() -> None:
    first, second, doctor = ids(3)
    patients = [first, second, first]
    appointments = [resources_pb2.Appointment(id=a, patient_id=p) for a, p in zip(ids(3), patients, strict=True)]
    response = appointments_pb2.ListAppointmentsResponse(appointments=appointments)
    request = appointments_pb2.ListAppointmentsRequest(doctor_id=doctor)

    entries = LIST_APPOINTMENTS.entries(request, response, Outcome.ALLOWED)

    by_resource = {(e.resource_type, e.resource_id): e.patient_id for e in entries}
    assert by_resource == {
        ("doctor", doctor): None,
        **{("appointment", a.id): uuid.UUID(a.patient_id) for a in appointments},
    }


def test_entries_without_a_patient_of_their_own_take_the_one_the_request_names() -> None:
    patient, doctor = ids(2)
    request = appointments_pb2.ListAppointmentsRequest(patient_id=patient, doctor_id=doctor)

    entries = LIST_APPOINTMENTS.entries(request, None, Outcome.DENIED)

    assert {(e.resource_type, e.resource_id, e.patient_id, e.outcome) for e in entries} == {
        ("patient", patient, uuid.UUID(patient), Outcome.DENIED),
        ("doctor", doctor, uuid.UUID(patient), Outcome.DENIED),
    }


def test_an_item_of_another_patient_keeps_its_own_rather_than_the_requests() -> None:
    asked, other = ids(2)
    appointment = resources_pb2.Appointment(id=str(uuid.uuid4()), patient_id=other)
    response = appointments_pb2.ListAppointmentsResponse(appointments=[appointment])

    entries = LIST_APPOINTMENTS.entries(
        appointments_pb2.ListAppointmentsRequest(patient_id=asked), response, Outcome.ALLOWED
    )

    assert {e.resource_id: e.patient_id for e in entries}[appointment.id] == uuid.UUID(other)


def test_a_read_by_id_learns_its_patient_from_the_response_once_allowed() -> None:
    rule = AuditRule(
        action="READ",
        resource_type="appointment",
        response_ids=("id",),
        request_ids=(("appointment_id", "appointment"),),
        changes=False,
        patient_field="patient_id",
    )
    appointment_id, patient = ids(2)
    request = appointments_pb2.GetAppointmentRequest(appointment_id=appointment_id)

    allowed = rule.entries(request, resources_pb2.Appointment(id=appointment_id, patient_id=patient), Outcome.ALLOWED)
    denied = rule.entries(request, None, Outcome.DENIED)

    assert [(e.resource_id, e.patient_id) for e in allowed] == [(appointment_id, uuid.UUID(patient))]
    assert [(e.resource_id, e.patient_id) for e in denied] == [(appointment_id, None)]


def test_a_nested_list_item_names_the_patient_beside_its_id() -> None:
    rule = AuditRule(
        action="READ_HISTORY",
        resource_type="appointment",
        response_ids=("appointments.appointment.id",),
        request_ids=(),
        changes=False,
        patient_field="patient_id",
    )
    first, second = ids(2)
    response = appointments_pb2.ListPatientHistoryResponse(
        appointments=[
            resources_pb2.HistoryEntry(appointment=resources_pb2.Appointment(id=a, patient_id=p))
            for a, p in ((str(uuid.uuid4()), first), (str(uuid.uuid4()), second))
        ]
    )

    assert sorted(str(e.patient_id) for e in rule.entries(None, response, Outcome.ALLOWED)) == sorted([first, second])


def test_a_medical_profile_is_its_own_patient() -> None:
    rule = AuditRule(
        action="READ",
        resource_type="patient",
        response_ids=("id",),
        request_ids=(("patient_id", "patient"),),
        changes=False,
        patient_field="id",
        request_patient_field="patient_id",
    )
    patient = str(uuid.uuid4())
    request = profile_pb2.GetPatientRequest(patient_id=patient)

    for response, outcome in ((profile_resources.Patient(id=patient), Outcome.ALLOWED), (None, Outcome.DENIED)):
        assert [(e.resource_id, e.patient_id) for e in rule.entries(request, response, outcome)] == [
            (patient, uuid.UUID(patient))
        ]


def test_a_patient_field_that_holds_no_id_names_no_patient() -> None:
    rule = AuditRule("READ", "patient", ("id",), (("patient_id", "patient"),), False, "id", "patient_id")

    entries = rule.entries(profile_pb2.GetPatientRequest(patient_id="not-an-id"), None, Outcome.REFUSED)

    assert [(e.resource_id, e.patient_id) for e in entries] == [("?", None)]


def test_a_call_naming_nothing_is_one_entry_without_a_patient() -> None:
    entries = LIST_APPOINTMENTS.entries(appointments_pb2.ListAppointmentsRequest(), None, Outcome.ALLOWED)

    assert [(e.resource_id, e.patient_id) for e in entries] == [(NO_RESOURCE, None)]


def test_a_call_past_its_deadline_is_timed_out_not_refused() -> None:
    """What it committed by then stands, as for a caller that went away: REFUSED would say nothing was done."""
    assert outcome_of(DeadlineExceeded()) is Outcome.TIMED_OUT
