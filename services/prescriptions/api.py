"""The gRPC servicer of pulseone.prescriptions.v1: protobuf in, one use-case call, protobuf out."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from pulseone.prescriptions.v1 import prescriptions_pb2, prescriptions_pb2_grpc, resources_pb2

from services.common.context import current_principal
from services.common.fields import optional_uuid, parse_uuid
from services.prescriptions import messages
from services.prescriptions.domain.prescriptions import as_seen_by
from services.prescriptions.use_cases.dispensing import Dispensing
from services.prescriptions.use_cases.prescriptions import Prescriptions

Context: TypeAlias = grpc.aio.ServicerContext


class PrescriptionsApi(prescriptions_pb2_grpc.PrescriptionServiceServicer):
    def __init__(self, prescriptions: Prescriptions, dispensing: Dispensing) -> None:
        self._prescriptions = prescriptions
        self._dispensing = dispensing

    async def CreatePrescription(
        self, request: prescriptions_pb2.CreatePrescriptionRequest, context: Context
    ) -> resources_pb2.Prescription:
        issued = await self._prescriptions.prescribe(current_principal(), messages.new_prescription(request))
        return messages.prescription_message(issued)

    async def GetPrescription(
        self, request: prescriptions_pb2.GetPrescriptionRequest, context: Context
    ) -> resources_pb2.Prescription:
        found = await self._prescriptions.get(
            current_principal(), parse_uuid(request.prescription_id, "prescriptionId")
        )
        return messages.prescription_message(found)

    async def ListPrescriptions(
        self, request: prescriptions_pb2.ListPrescriptionsRequest, context: Context
    ) -> prescriptions_pb2.ListPrescriptionsResponse:
        viewer = current_principal()
        page = await self._prescriptions.list(
            viewer,
            appointment_id=optional_uuid(request.appointment_id, "appointmentId"),
            doctor_id=optional_uuid(request.doctor_id, "doctorId"),
            patient_id=optional_uuid(request.patient_id, "patientId"),
            size=request.page_size,
            token=request.page_token,
        )
        return prescriptions_pb2.ListPrescriptionsResponse(
            prescriptions=[messages.prescription_message(as_seen_by(viewer, p)) for p in page.items],
            next_page_token=page.next_page_token,
        )

    async def FindActivePrescriptions(
        self, request: prescriptions_pb2.FindActivePrescriptionsRequest, context: Context
    ) -> prescriptions_pb2.FindActivePrescriptionsResponse:
        found = await self._prescriptions.find_active(current_principal(), request.code)
        return prescriptions_pb2.FindActivePrescriptionsResponse(
            prescriptions=[messages.prescription_message(p) for p in found]
        )

    async def ChangePrescriptionStatus(
        self, request: prescriptions_pb2.ChangePrescriptionStatusRequest, context: Context
    ) -> resources_pb2.Prescription:
        changed = await self._prescriptions.change_status(
            current_principal(),
            parse_uuid(request.prescription_id, "prescriptionId"),
            messages.status_of(request.status),
            code=request.code,
            reason=request.reason,
        )
        return messages.prescription_message(changed)

    async def CancelPrescription(
        self, request: prescriptions_pb2.CancelPrescriptionRequest, context: Context
    ) -> resources_pb2.Prescription:
        cancelled = await self._prescriptions.cancel(
            current_principal(), parse_uuid(request.prescription_id, "prescriptionId"), request.reason
        )
        return messages.prescription_message(cancelled)

    async def DispensePrescription(
        self, request: prescriptions_pb2.DispensePrescriptionRequest, context: Context
    ) -> prescriptions_pb2.DispensePrescriptionResponse:
        prescription, dispensation = await self._dispensing.dispense(
            current_principal(), messages.dispense_request(request)
        )
        return prescriptions_pb2.DispensePrescriptionResponse(
            prescription=messages.prescription_message(prescription),
            dispensation=messages.dispensation_message(dispensation),
        )
