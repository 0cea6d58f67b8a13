"""The profile service's own field values and checks, on top of the shared ones: blood groups,
opening hours and emergency contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.common.fields import Checks, parse_hh_mm

BLOOD_GROUPS = frozenset({"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"})


@dataclass(frozen=True)
class OperatingHours:
    """A clinic's or a pharmacy's hours on one day of the week, as wall-clock times "HH:MM"."""

    day_of_week: str
    """`MONDAY` ... `SUNDAY`; empty when the client named none."""
    open: str
    close: str


@dataclass(frozen=True)
class EmergencyContact:
    """Whom to call about a patient."""

    name: str
    relationship: str
    phone: str


class ProfileChecks(Checks):
    """The shared field checks plus the profile service's own, collecting every violation by JSON path."""

    def blood_group(self, field: str, value: str) -> None:
        self.one_of(field, value, BLOOD_GROUPS)

    def operating_hours(self, field: str, hours: Sequence[OperatingHours]) -> None:
        for index, entry in enumerate(hours):
            opens, closes = parse_hh_mm(entry.open), parse_hh_mm(entry.close)
            if not entry.day_of_week:
                self.errors.add(f"{field}[{index}].dayOfWeek", "is required")
            if opens is None:
                self.errors.add(f"{field}[{index}].open", "must be a time, HH:MM")
            if closes is None:
                self.errors.add(f"{field}[{index}].close", "must be a time, HH:MM")
            if opens is not None and closes is not None and closes <= opens:
                self.errors.add(f"{field}[{index}].close", "must be after the opening time")

    def contacts(self, field: str, contacts: Sequence[EmergencyContact]) -> None:
        for index, contact in enumerate(contacts):
            self.required_text(f"{field}[{index}].name", contact.name)
            self.phone(f"{field}[{index}].phone", contact.phone)
            if not contact.phone:
                self.errors.add(f"{field}[{index}].phone", "is required")
