"""The named facts the prescriptions service refuses requests with (SPEC 3.4)."""

from __future__ import annotations

import uuid
from datetime import date

from services.common.errors import (
    FailedPrecondition,
    InvalidField,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)


class PrescriptionNotFound(NotFound):
    """No prescription has this id (told only to whoever could hold it)."""

    default_reason = "PRESCRIPTION_NOT_FOUND"

    def __init__(self, prescription_id: uuid.UUID) -> None:
        super().__init__("no prescription has this id", metadata={"prescriptionId": str(prescription_id)})


class TooManyCodeMisses(ResourceExhausted):
    """A pharmacy looked up too many codes that match no prescription: a code is a secret of eight
    characters, and guessing them one after another must stay slow."""

    default_reason = "TOO_MANY_CODE_MISSES"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "too many dispense codes that match no prescription; check the code with the patient",
            retry_after_seconds=retry_after_seconds,
        )


class WrongDispenseCode(PermissionDenied):
    """A pharmacy reaches a prescription only with its dispense code; a wrong code and an unknown
    prescription are the same refusal, so neither ids nor codes can be probed."""

    default_reason = "INVALID_DISPENSE_CODE"
    default_message = "no prescription with this id holds this dispense code"


class RoleMayNotSetStatus(PermissionDenied):
    """Its doctor cancels a prescription; a pharmacy fills it. Neither does the other's."""

    default_reason = "ROLE_NOT_ALLOWED"

    def __init__(self, role: str, status: str) -> None:
        super().__init__(f"the {role} role cannot set a prescription {status}", metadata={"role": role})


class InvalidTransition(FailedPrecondition):
    """Only an ACTIVE or PARTIALLY_FILLED prescription is filled, dispensed or cancelled."""

    default_reason = "INVALID_TRANSITION"

    def __init__(self, status: str, wanted: str) -> None:
        super().__init__(
            f"a {status} prescription cannot be {wanted.lower().replace('_', ' ')}",
            metadata={"status": status, "requested": wanted},
        )


class PrescriptionExpired(FailedPrecondition):
    """Its last valid day (in its zone) has passed: it can no longer be filled or dispensed."""

    default_reason = "PRESCRIPTION_EXPIRED"

    def __init__(self, valid_until: date) -> None:
        super().__init__(
            f"the prescription was valid until {valid_until.isoformat()}",
            metadata={"validUntil": valid_until.isoformat()},
        )


class AppointmentNotInConsultation(FailedPrecondition):
    """A prescription is issued while the consultation runs or after it, never before or instead."""

    default_reason = "APPOINTMENT_NOT_IN_CONSULTATION"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"a prescription is issued in an IN_PROGRESS or COMPLETED appointment, not a {status} one",
            metadata={"appointmentStatus": status},
        )


class DrugMismatch(FailedPrecondition):
    """The catalog item is not the prescribed drug (neither its drug nor its generic name)."""

    default_reason = "DRUG_MISMATCH"

    def __init__(self, item_id: uuid.UUID, catalog_item_id: uuid.UUID, prescribed: str, offered: str) -> None:
        super().__init__(
            f"{offered!r} is not the prescribed {prescribed!r}",
            metadata={"itemId": str(item_id), "catalogItemId": str(catalog_item_id)},
        )


class MoreThanRemains(FailedPrecondition):
    """A dispense takes at most what remains of the item."""

    default_reason = "QUANTITY_EXCEEDS_REMAINING"

    def __init__(self, item_id: uuid.UUID, requested: int, remaining: int) -> None:
        super().__init__(
            f"{requested} units asked for, {remaining} remain of the item",
            metadata={"itemId": str(item_id), "requested": str(requested), "remaining": str(remaining)},
        )


class NotAPrescriptionItem(InvalidField):
    """A dispense line names an item the prescription does not have."""

    def __init__(self, field: str, item_id: uuid.UUID) -> None:
        super().__init__(field, f"{item_id} is not an item of this prescription", "UNKNOWN_ITEM")


class CatalogItemElsewhere(InvalidField):
    """A dispense takes stock from the dispensing pharmacy's own catalog only."""

    def __init__(self, field: str, catalog_item_id: uuid.UUID) -> None:
        super().__init__(field, f"{catalog_item_id} is not an item of this pharmacy's catalog", "NOT_IN_CATALOG")


class AppointmentsUnavailable(Unavailable):
    """The appointments service could not confirm a lagging appointment; retry later."""

    default_reason = "APPOINTMENTS_UNAVAILABLE"
    default_message = "the appointment could not be confirmed just now; retry shortly"


class InventoryUnavailable(Unavailable):
    """The inventory service could not be reached or did not answer in time. Whether it took the
    stock is unknown to this call: a retry with the same request id takes it at most once."""

    default_reason = "INVENTORY_UNAVAILABLE"
    default_message = (
        "the pharmacy's stock did not answer; retry with the same requestId: the stock is taken at most once"
    )
