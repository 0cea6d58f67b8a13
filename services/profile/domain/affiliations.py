"""Affiliations of doctors with clinics: invited, then confirmed or rejected by the doctor, then ended."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.context import Principal
from services.profile.domain.clinics import Clinic, manages
from services.profile.domain.errors import AffiliationExists, AffiliationNotFound, NoPendingInvitation, NothingToEnd


class AffiliationStatus(enum.StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    ENDED = "ENDED"


@dataclass(frozen=True)
class Affiliation:
    """A doctor at a clinic, with the doctor's name and specialization for the clinic's list."""

    clinic_id: uuid.UUID
    doctor_id: uuid.UUID
    status: AffiliationStatus
    first_name: str
    last_name: str
    specialization: str
    invite_time: datetime
    respond_time: datetime | None
    end_time: datetime | None
    version: int


def invitation_allowed(current: AffiliationStatus | None) -> None:
    """A doctor may be invited when never invited, or after a rejection or an ended affiliation."""
    if current in (AffiliationStatus.PENDING, AffiliationStatus.CONFIRMED):
        raise AffiliationExists(current)


def answer_allowed(current: AffiliationStatus | None) -> None:
    """Only a pending invitation is confirmed or rejected. One never made is the doctor's own
    resource not found (SPEC 1), not a transition from nothing."""
    if current is None:
        raise AffiliationNotFound()
    if current != AffiliationStatus.PENDING:
        raise NoPendingInvitation(current)


def end_allowed(current: AffiliationStatus | None) -> None:
    """A pending invitation or a confirmed affiliation may be ended; one never made is not found."""
    if current is None:
        raise AffiliationNotFound()
    if current not in (AffiliationStatus.PENDING, AffiliationStatus.CONFIRMED):
        raise NothingToEnd(current)


def answered(accept: bool) -> AffiliationStatus:
    return AffiliationStatus.CONFIRMED if accept else AffiliationStatus.REJECTED


def listed_statuses(manages_clinic: bool) -> tuple[AffiliationStatus, ...]:
    """Everyone sees a clinic's confirmed doctors; its admin also sees the pending invitations."""
    if manages_clinic:
        return (AffiliationStatus.CONFIRMED, AffiliationStatus.PENDING)
    return (AffiliationStatus.CONFIRMED,)


def is_party(viewer: Principal, clinic: Clinic | None, doctor_id: uuid.UUID) -> bool:
    """The affiliation's doctor or its clinic's admin (other services re-reading a lagging copy)."""
    return viewer.user_id == doctor_id or manages(viewer, clinic)
