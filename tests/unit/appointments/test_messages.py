"""Requests read into domain values as SPEC's update rule says (fields present or masked)."""

from __future__ import annotations

import uuid

import pytest
from google.protobuf import field_mask_pb2
from pulseone.appointments.v1 import appointments_pb2, resources_pb2

from services.appointments import messages
from services.appointments.domain.booking import AppointmentType
from services.appointments.domain.schedule import ServiceType
from services.common.errors import InvalidArgument


def test_vital_signs_named_in_the_mask_are_the_map_sent() -> None:
    request = appointments_pb2.UpdateNotesRequest(
        notes=resources_pb2.ConsultationNotes(diagnosis="flu", vital_signs={"bloodPressure": "120/80", "pulse": "72"}),
        update_mask=field_mask_pb2.FieldMask(paths=["vitalSigns"]),
    )
    change = messages.notes_change(request)
    assert change.values() == {"diagnosis": "flu", "vital_signs": {"bloodPressure": "120/80", "pulse": "72"}}


def test_an_update_of_a_session_reads_the_fields_it_changes() -> None:
    request = appointments_pb2.UpdateSessionRequest(
        session=resources_pb2.Session(session_start_time="10:00", service_type="BOTH", max_queue_size=9)
    )
    update = messages.session_update(request)
    assert update.fields == {"session_start_time", "service_type", "max_queue_size"}
    assert (update.service_type, update.max_queue_size, str(update.session_start_time)) == (
        ServiceType.BOTH,
        9,
        "10:00:00",
    )
    cleared = appointments_pb2.UpdateSessionRequest(
        session=resources_pb2.Session(), update_mask=field_mask_pb2.FieldMask(paths=["effectiveFrom"])
    )
    with pytest.raises(InvalidArgument) as raised:
        messages.session_update(cleared)
    assert raised.value.message == "effectiveFrom: cannot be cleared"


def test_a_booking_without_a_type_is_in_person() -> None:
    session_id = uuid.uuid4()
    request = messages.booking_request(appointments_pb2.BookAppointmentRequest(session_id=str(session_id)))
    assert (request.session_id, request.appointment_type, request.appointment_date, request.patient_id) == (
        session_id,
        AppointmentType.IN_PERSON,
        None,
        None,
    )
