"""Profile rules (pure): field validation, affiliation transitions, who may read medical data."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.context import Principal, Role
from services.common.errors import AlreadyExists, FailedPrecondition, ValidationErrors
from services.common.validation import is_time_zone

BLOOD_GROUPS = frozenset({"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"})
# ISO 4217 active currency codes.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
CARE_WINDOW = timedelta(days=90)


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def parse_money(value: str) -> Decimal | None:
    """A non-negative decimal string with at most two decimals, or None."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):  # type: ignore[operator]
        return None
    return amount


def parse_hh_mm(value: str) -> time | None:
    return time.fromisoformat(value) if HH_MM.match(value) else None


class Checks:
    """Field checks that collect every violation, named by JSON path."""

    def __init__(self) -> None:
        self.errors = ValidationErrors()

    def required_text(self, field: str, value: Any, limit: int = 200) -> None:
        if not isinstance(value, str) or not value.strip():
            self.errors.add(field, "is required")
        elif len(value) > limit:
            self.errors.add(field, f"must be at most {limit} characters")

    def text(self, field: str, value: Any, limit: int = 2000) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.errors.add(field, f"must be at most {limit} characters")

    def phone(self, field: str, value: Any) -> None:
        if value and not PHONE.match(str(value).strip()):
            self.errors.add(field, "is not a phone number")

    def email(self, field: str, value: Any) -> None:
        if value and not EMAIL.match(str(value).strip()):
            self.errors.add(field, "is not an email address")

    def time_zone(self, field: str, value: Any, *, required: bool = False) -> None:
        if not value:
            if required:
                self.errors.add(field, "is required")
        elif not is_time_zone(str(value)):
            self.errors.add(field, f"{value!r} is not an IANA time zone", "INVALID_TIME_ZONE")

    def currency(self, field: str, value: Any) -> None:
        if value and value not in CURRENCIES:
            self.errors.add(field, f"{value!r} is not an ISO 4217 currency code", "INVALID_CURRENCY")

    def money(self, field: str, value: Any) -> None:
        if value and parse_money(str(value)) is None:
            self.errors.add(field, 'must be a non-negative amount with at most two decimals, like "75.50"')

    def past_date(self, field: str, value: Any, today: date) -> None:
        if not value:
            return
        parsed = parse_date(str(value))
        if parsed is None:
            self.errors.add(field, "must be a date, YYYY-MM-DD")
        elif parsed > today:
            self.errors.add(field, "must not be in the future")

    def one_of(self, field: str, value: Any, allowed: frozenset[str]) -> None:
        if value and value not in allowed:
            self.errors.add(field, f"must be one of {', '.join(sorted(allowed))}")

    def between(self, field: str, value: Any, low: int, high: int) -> None:
        if value is not None and not low <= int(value) <= high:
            self.errors.add(field, f"must be between {low} and {high}")

    def uuids(self, field: str, values: Any) -> None:
        for index, value in enumerate(values or ()):
            try:
                uuid.UUID(str(value))
            except ValueError:
                self.errors.add(f"{field}[{index}]", f"{value!r} is not a UUID", "INVALID_ID")

    def operating_hours(self, field: str, hours: Any) -> None:
        for index, entry in enumerate(hours or ()):
            opens, closes = parse_hh_mm(entry.get("open", "")), parse_hh_mm(entry.get("close", ""))
            if not entry.get("dayOfWeek"):
                self.errors.add(f"{field}[{index}].dayOfWeek", "is required")
            if opens is None:
                self.errors.add(f"{field}[{index}].open", "must be a time, HH:MM")
            if closes is None:
                self.errors.add(f"{field}[{index}].close", "must be a time, HH:MM")
            if opens is not None and closes is not None and closes <= opens:
                self.errors.add(f"{field}[{index}].close", "must be after the opening time")

    def contacts(self, field: str, contacts: Any) -> None:
        for index, contact in enumerate(contacts or ()):
            self.required_text(f"{field}[{index}].name", contact.get("name"))
            self.phone(f"{field}[{index}].phone", contact.get("phone"))
            if not contact.get("phone"):
                self.errors.add(f"{field}[{index}].phone", "is required")

    def done(self) -> None:
        self.errors.raise_if_any()


# Affiliations


class AffiliationStatus:
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    ENDED = "ENDED"


def invitation_allowed(current: str | None) -> None:
    """A doctor may be invited when never invited, or after a rejection or an ended affiliation."""
    if current in (AffiliationStatus.PENDING, AffiliationStatus.CONFIRMED):
        raise AlreadyExists(
            f"the doctor is already {current.lower()} at this clinic",
            reason="AFFILIATION_EXISTS",
            metadata={"status": current},
        )


def answer_allowed(current: str | None) -> None:
    if current != AffiliationStatus.PENDING:
        raise FailedPrecondition(
            "there is no pending invitation to answer", reason="INVALID_TRANSITION", metadata={"status": current or ""}
        )


def end_allowed(current: str | None) -> None:
    if current not in (AffiliationStatus.PENDING, AffiliationStatus.CONFIRMED):
        raise FailedPrecondition(
            "there is no invitation or affiliation to end",
            reason="INVALID_TRANSITION",
            metadata={"status": current or ""},
        )


# Who may read what


@dataclass(frozen=True)
class CareRelationship:
    """The appointments between one doctor and one patient, as far as the profile service knows."""

    open_appointments: int
    last_appointment_at: datetime | None


def within_care(relationship: CareRelationship | None, now: datetime) -> bool:
    """A doctor reads a patient's medical data while they have a non-cancelled appointment, and
    for 90 days after the last one (SPEC 2)."""
    if relationship is None:
        return False
    if relationship.open_appointments > 0:
        return True
    return relationship.last_appointment_at is not None and now - relationship.last_appointment_at <= CARE_WINDOW


def may_read_medical_data(
    viewer: Principal, patient_id: uuid.UUID, relationship: CareRelationship | None, now: datetime
) -> bool:
    """The single rule for patients' medical data: the patient, or a doctor in care. Nobody else, not
    even a SYSTEM_ADMIN: operating the platform is not a reason to read clinical content (SPEC 2)."""
    if viewer.role is Role.PATIENT:
        return viewer.user_id == patient_id
    if viewer.role is Role.DOCTOR:
        return within_care(relationship, now)
    return False


def sees_unverified_doctors(viewer: Principal, requested: bool | None) -> bool:
    """Patients only ever see verified doctors; others see unverified ones when they ask."""
    return viewer.role is not Role.PATIENT and requested is False


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
