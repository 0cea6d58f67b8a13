from __future__ import annotations

import uuid

from services.appointments.domain.directory import AccountChange, display_name


def test_a_name_shows_the_parts_present() -> None:
    assert display_name("Gregory", "House") == "Gregory House"
    assert display_name("Lisa", "") == "Lisa"
    assert display_name(None, None) == ""


def test_a_suspended_doctor_is_gone_and_nobody_else_is() -> None:
    user = uuid.uuid4()
    assert AccountChange(user, "DOCTOR", "SUSPENDED").doctor_gone
    # A new licence number returns the account to PENDING_APPROVAL: not among SPEC's cancellations.
    assert not AccountChange(user, "DOCTOR", "PENDING_APPROVAL").doctor_gone
    assert not AccountChange(user, "DOCTOR", "ACTIVE").doctor_gone
    assert not AccountChange(user, "PATIENT", "SUSPENDED").doctor_gone
