"""The named facts the inventory service refuses requests with (SPEC 3.5)."""

from __future__ import annotations

import uuid
from datetime import date

from services.common.errors import AlreadyExists, FailedPrecondition, NotFound, Unavailable


class LocationNotFound(NotFound):
    """No clinic or pharmacy has this id (told only to a SYSTEM_ADMIN, who may read every location)."""

    default_reason = "LOCATION_NOT_FOUND"

    def __init__(self, location_id: uuid.UUID) -> None:
        super().__init__("no clinic or pharmacy has this id", metadata={"locationId": str(location_id)})


class CatalogItemNotFound(NotFound):
    """No catalog item with this id (at this location)."""

    default_reason = "CATALOG_ITEM_NOT_FOUND"

    def __init__(self, catalog_item_id: uuid.UUID) -> None:
        super().__init__(
            "no catalog item has this id at this location", metadata={"catalogItemId": str(catalog_item_id)}
        )


class BatchNotFound(NotFound):
    """The named batch is not a batch of this catalog item."""

    default_reason = "BATCH_NOT_FOUND"

    def __init__(self, batch_id: uuid.UUID) -> None:
        super().__init__("the catalog item has no batch with this id", metadata={"batchId": str(batch_id)})


class DrugNameTaken(AlreadyExists):
    """The location's catalog has a drug of this name already (names compare case-insensitively)."""

    default_reason = "DRUG_NAME_TAKEN"

    def __init__(self, drug_name: str) -> None:
        super().__init__("this location's catalog has a drug of this name already", metadata={"drugName": drug_name})


class BatchNumberTaken(AlreadyExists):
    """A batch number tops up only the batch with the same expiry; another expiry is another batch."""

    default_reason = "BATCH_NUMBER_TAKEN"

    def __init__(self, batch_number: str, expiry_date: date) -> None:
        super().__init__(
            f"batch {batch_number} of this item expires on {expiry_date.isoformat()}: "
            "a top-up must have the same expiry date",
            metadata={"batchNumber": batch_number, "expiryDate": expiry_date.isoformat()},
        )


class BatchExpired(FailedPrecondition):
    """Stock expiring today or earlier (in the location's zone) is not received."""

    default_reason = "BATCH_EXPIRED"

    def __init__(self, expiry_date: date, today: date) -> None:
        super().__init__(
            "the batch expires today or earlier and cannot be received",
            metadata={"expiryDate": expiry_date.isoformat(), "today": today.isoformat()},
        )


class InsufficientStock(FailedPrecondition):
    """Fewer usable units than asked for; nothing was taken."""

    default_reason = "INSUFFICIENT_STOCK"

    def __init__(self, catalog_item_id: uuid.UUID, requested: int, available: int) -> None:
        super().__init__(
            f"only {available} of the {requested} units asked for are available",
            metadata={
                "catalogItemId": str(catalog_item_id),
                "requested": str(requested),
                "available": str(available),
            },
        )


class CatalogItemInactive(FailedPrecondition):
    """An item no longer stocked is neither received nor dispensed."""

    default_reason = "CATALOG_ITEM_INACTIVE"

    def __init__(self, catalog_item_id: uuid.UUID) -> None:
        super().__init__("the catalog item is not active", metadata={"catalogItemId": str(catalog_item_id)})


class RequestIdReused(FailedPrecondition):
    """A request id names one operation; the caller used it for another kind of operation before."""

    default_reason = "REQUEST_ID_REUSED"

    def __init__(self, request_id: uuid.UUID) -> None:
        super().__init__(
            "this requestId was used for another kind of operation", metadata={"requestId": str(request_id)}
        )


class QuantityLimit(FailedPrecondition):
    """A batch would hold more units than a batch can count."""

    default_reason = "QUANTITY_LIMIT"
    default_message = "a batch holds at most 1000000000 units"


class LocationsUnavailable(Unavailable):
    """A location is not known here yet and the profile service, which would know, cannot be asked."""

    default_reason = "PROFILE_UNAVAILABLE"
    default_message = "this location cannot be confirmed right now; retry later"
