"""Prescriptions: what a doctor issues in a consultation, its life ACTIVE → PARTIALLY_FILLED → FILLED
or CANCELLED, its validity in its zone, and who sees what of it (SPEC 3.4)."""

from __future__ import annotations

import enum
import secrets
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from services.common.context import Principal, Role
from services.common.errors import NotYours
from services.common.fields import Checks, is_time_zone, parse_date
from services.prescriptions.domain.errors import InvalidTransition, PrescriptionExpired

MAX_ITEMS = 20
MAX_UNITS = 100_000
DEFAULT_VALIDITY_DAYS = 30
MAX_VALIDITY_DAYS = 366
NAME_LENGTH = 200
NOTES_LENGTH = 2000
INSTRUCTIONS_LENGTH = 1000
REASON_LENGTH = 1000
FALLBACK_ZONE = "UTC"

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Dispense codes are read aloud and typed at a counter: no 0/O or 1/I to confuse."""
CODE_LENGTH = 8


class Status(enum.StrEnum):
    ACTIVE = "ACTIVE"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"


OPEN = frozenset({Status.ACTIVE, Status.PARTIALLY_FILLED})
"""The statuses a prescription can still be filled, dispensed or cancelled from."""


@dataclass(frozen=True)
class NewItem:
    """One drug as the doctor prescribes it."""

    drug_name: str
    generic_name: str | None
    dosage: str
    frequency: str | None
    duration: str
    quantity: int
    instructions: str | None


@dataclass(frozen=True)
class Item(NewItem):
    id: uuid.UUID
    dispensed_quantity: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.dispensed_quantity


@dataclass(frozen=True)
class NewPrescription:
    """A checked prescribe request; the patient, clinic and zone come from the appointment."""

    appointment_id: uuid.UUID
    items: tuple[NewItem, ...]
    notes: str | None
    valid_until: date | None
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class Prescription:
    id: uuid.UUID
    doctor_id: uuid.UUID
    patient_id: uuid.UUID
    appointment_id: uuid.UUID
    clinic_id: uuid.UUID | None
    issued_at: datetime
    valid_until: date
    time_zone: str
    status: Status
    notes: str | None
    dispense_code: str
    items: tuple[Item, ...]
    cancellation_reason: str
    update_time: datetime
    version: int

    def expired(self, now: datetime) -> bool:
        """Valid through `valid_until` inclusive, in its own zone."""
        return today_in(self.time_zone, now) > self.valid_until

    def item(self, item_id: uuid.UUID) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


def zone_of(name: str) -> str:
    """The appointment's zone (its clinic's or its doctor's), or UTC when it names none known here."""
    return name if name and is_time_zone(name) else FALLBACK_ZONE


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def new_item(
    index: int,
    *,
    drug_name: str,
    generic_name: str | None,
    dosage: str,
    frequency: str | None,
    duration: str,
    quantity: int,
    instructions: str | None,
    checks: Checks,
) -> NewItem:
    field = f"items[{index}]"
    checks.required_text(f"{field}.drugName", drug_name, NAME_LENGTH)
    checks.text(f"{field}.genericName", generic_name, NAME_LENGTH)
    checks.required_text(f"{field}.dosage", dosage, NAME_LENGTH)
    checks.text(f"{field}.frequency", frequency, NAME_LENGTH)
    checks.required_text(f"{field}.duration", duration, NAME_LENGTH)
    checks.between(f"{field}.quantity", quantity, 1, MAX_UNITS)
    checks.text(f"{field}.instructions", instructions, INSTRUCTIONS_LENGTH)
    return NewItem(
        drug_name=drug_name.strip(),
        generic_name=_blank_to_none(generic_name),
        dosage=dosage.strip(),
        frequency=_blank_to_none(frequency),
        duration=duration.strip(),
        quantity=quantity,
        instructions=_blank_to_none(instructions),
    )


def new_prescription(
    *,
    appointment_id: uuid.UUID,
    items: list[NewItem],
    notes: str | None,
    valid_until: str,
    request_id: uuid.UUID | None,
    checks: Checks,
) -> NewPrescription:
    """Check a prescribe request: 1 to 20 items (each checked by `new_item` into the same `checks`)."""
    if not items:
        checks.errors.add("items", "must have at least one item")
    elif len(items) > MAX_ITEMS:
        checks.errors.add("items", f"must have at most {MAX_ITEMS} items")
    checks.text("notes", notes, NOTES_LENGTH)
    until = None
    if valid_until:
        until = parse_date(valid_until)
        if until is None:
            checks.errors.add("validUntil", "must be a date, YYYY-MM-DD")
    checks.done()
    return NewPrescription(appointment_id, tuple(items), _blank_to_none(notes), until, request_id)


def valid_until(requested: date | None, today: date) -> date:
    """The last valid day: as asked (today up to a year ahead), else 30 days from today."""
    if requested is None:
        return today + timedelta(days=DEFAULT_VALIDITY_DAYS)
    checks = Checks()
    if requested < today:
        checks.errors.add("validUntil", f"must not be before today ({today.isoformat()} in the appointment's zone)")
    elif requested > today + timedelta(days=MAX_VALIDITY_DAYS):
        checks.errors.add("validUntil", f"must be at most {MAX_VALIDITY_DAYS} days ahead")
    checks.done()
    return requested


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalized_code(code: str) -> str:
    """A code as typed at a counter: case, spaces and dashes do not matter."""
    return code.upper().replace(" ", "").replace("-", "")


def holds_code(prescription: Prescription, code: str) -> bool:
    return secrets.compare_digest(prescription.dispense_code, normalized_code(code))


def check_open(prescription: Prescription, wanted: str) -> None:
    if prescription.status not in OPEN:
        raise InvalidTransition(prescription.status.value, wanted)


def check_fillable(prescription: Prescription, wanted: str, now: datetime) -> None:
    """Filled or dispensed only while open and valid."""
    check_open(prescription, wanted)
    if prescription.expired(now):
        raise PrescriptionExpired(prescription.valid_until)


def status_after(items: tuple[Item, ...]) -> Status:
    """FILLED once every unit of every item is dispensed; PARTIALLY_FILLED before."""
    return Status.FILLED if all(i.remaining == 0 for i in items) else Status.PARTIALLY_FILLED


def is_party(viewer: Principal, prescription: Prescription) -> bool:
    return viewer.user_id in (prescription.patient_id, prescription.doctor_id)


def check_party(viewer: Principal, prescription: Prescription) -> None:
    """Its patient and its doctor read it; everyone else is refused as for someone else's resource."""
    if not is_party(viewer, prescription):
        raise NotYours()


def check_its_doctor(viewer: Principal, prescription: Prescription) -> None:
    if not (viewer.role is Role.DOCTOR and viewer.user_id == prescription.doctor_id):
        raise NotYours()


def for_pharmacy(prescription: Prescription) -> Prescription:
    """What a pharmacy sees: no notes, and no code (it holds the code it was shown)."""
    return replace(prescription, notes=None, dispense_code="")


def as_seen_by(viewer: Principal, prescription: Prescription) -> Prescription:
    """The dispense code and notes are for the patient and the issuing doctor only."""
    return prescription if is_party(viewer, prescription) else for_pharmacy(prescription)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


StatusChange = Callable[[Prescription, datetime], Prescription]
"""A change of a claimed prescription at an instant: the prescription after it, or a refusal."""
