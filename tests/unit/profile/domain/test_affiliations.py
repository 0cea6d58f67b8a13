from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.common.context import Role
from services.common.errors import AlreadyExists, FailedPrecondition, NotFound
from services.profile.domain.affiliations import (
    AffiliationStatus,
    answer_allowed,
    answered,
    end_allowed,
    invitation_allowed,
    is_party,
    listed_statuses,
)
from services.profile.domain.clinics import Clinic
from tests.unit.profile.domain.callers import principal

PENDING, CONFIRMED, REJECTED, ENDED = (
    AffiliationStatus.PENDING,
    AffiliationStatus.CONFIRMED,
    AffiliationStatus.REJECTED,
    AffiliationStatus.ENDED,
)


def clinic_of(admin_id: uuid.UUID) -> Clinic:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    return Clinic(uuid.uuid4(), admin_id, "Lanka Clinic", "", "", "", "Asia/Colombo", "LKR", (), (), True, now, now, 1)


def test_affiliation_transitions() -> None:
    for status in (None, REJECTED, ENDED):
        invitation_allowed(status)
    for status in (PENDING, CONFIRMED):
        with pytest.raises(AlreadyExists):
            invitation_allowed(status)
    answer_allowed(PENDING)
    for status in (CONFIRMED, REJECTED, ENDED):
        with pytest.raises(FailedPrecondition):
            answer_allowed(status)
    end_allowed(PENDING)
    end_allowed(CONFIRMED)
    for status in (REJECTED, ENDED):
        with pytest.raises(FailedPrecondition):
            end_allowed(status)


@pytest.mark.parametrize("rule", [answer_allowed, end_allowed])
def test_answering_or_ending_an_invitation_never_made_is_not_found(rule: object) -> None:
    """The doctor's own affiliation that does not exist is NOT_FOUND (SPEC 1), as reading it is."""
    with pytest.raises(NotFound) as raised:
        rule(None)  # type: ignore[operator]
    assert raised.value.reason == "AFFILIATION_NOT_FOUND"


def test_inviting_a_doctor_twice_names_the_current_status() -> None:
    with pytest.raises(AlreadyExists) as raised:
        invitation_allowed(CONFIRMED)
    error = raised.value
    assert (error.reason, error.message, error.metadata) == (
        "AFFILIATION_EXISTS",
        "the doctor is already confirmed at this clinic",
        {"status": "CONFIRMED"},
    )


@pytest.mark.parametrize(
    ("rule", "current", "message", "status"),
    [
        (answer_allowed, ENDED, "there is no pending invitation to answer", "ENDED"),
        (end_allowed, REJECTED, "there is no invitation or affiliation to end", "REJECTED"),
    ],
)
def test_an_invalid_transition_says_where_the_affiliation_stands(
    rule: object, current: AffiliationStatus | None, message: str, status: str
) -> None:
    with pytest.raises(FailedPrecondition) as raised:
        rule(current)  # type: ignore[operator]
    error = raised.value
    assert (error.reason, error.message, error.metadata) == ("INVALID_TRANSITION", message, {"status": status})


def test_an_answer_confirms_or_rejects() -> None:
    assert (answered(True), answered(False)) == (CONFIRMED, REJECTED)


def test_only_the_clinics_admin_sees_pending_invitations() -> None:
    assert listed_statuses(False) == (CONFIRMED,)
    assert set(listed_statuses(True)) == {CONFIRMED, PENDING}


def test_the_parties_of_an_affiliation_are_the_doctor_and_the_clinics_admin() -> None:
    admin, doctor = principal(Role.CLINIC_ADMIN), principal(Role.DOCTOR)
    clinic = clinic_of(admin.user_id)
    assert is_party(admin, clinic, doctor.user_id)
    assert is_party(doctor, clinic, doctor.user_id)
    assert is_party(doctor, None, doctor.user_id)
    assert not is_party(principal(Role.CLINIC_ADMIN), clinic, doctor.user_id)
    assert not is_party(principal(Role.DOCTOR), clinic, doctor.user_id)
    assert not is_party(admin, None, doctor.user_id)
