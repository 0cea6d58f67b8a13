"""Events the auth service publishes (through the outbox, in the transaction of the change) and the
handlers of the events it consumes."""

from __future__ import annotations

import uuid

from pulseone.auth.v1 import events_pb2
from pulseone.profile.v1 import events_pb2 as profile_events
from sqlalchemy.ext.asyncio import AsyncSession

from services.auth import store
from services.auth.domain.accounts import Account, NewAccount, approval_revoked
from services.auth.messages import clinic_message, pharmacy_message, user_message
from services.common.consumer import Subscription, subscribe
from services.common.event_catalogue import (
    LICENSE_CHANGED,
    USER_APPROVAL_REVOKED,
    USER_APPROVED,
    USER_REACTIVATED,
    USER_REGISTERED,
    USER_SUSPENDED,
)
from services.common.outbox import record_event

# Published


async def user_registered(session: AsyncSession, account: Account, request: NewAccount) -> None:
    event = events_pb2.UserRegistered(user=user_message(account))
    if request.clinic is not None:
        event.clinic.CopyFrom(clinic_message(request.clinic))
    if request.pharmacy is not None:
        event.pharmacy.CopyFrom(pharmacy_message(request.pharmacy))
    await record_event(session, USER_REGISTERED, event, entity_id=account.id, entity_version=account.version)


async def user_approved(session: AsyncSession, account: Account) -> None:
    event = events_pb2.UserApproved(user=user_message(account))
    await record_event(session, USER_APPROVED, event, entity_id=account.id, entity_version=account.version)


async def user_suspended(session: AsyncSession, account: Account, reason: str) -> None:
    event = events_pb2.UserSuspended(user=user_message(account), reason=reason)
    await record_event(session, USER_SUSPENDED, event, entity_id=account.id, entity_version=account.version)


async def user_reactivated(session: AsyncSession, account: Account) -> None:
    event = events_pb2.UserReactivated(user=user_message(account))
    await record_event(session, USER_REACTIVATED, event, entity_id=account.id, entity_version=account.version)


async def user_approval_revoked(session: AsyncSession, account: Account, reason: str) -> None:
    event = events_pb2.UserApprovalRevoked(user=user_message(account), reason=reason)
    await record_event(session, USER_APPROVAL_REVOKED, event, entity_id=account.id, entity_version=account.version)


# Consumed


async def on_license_changed(session: AsyncSession, event: profile_events.LicenseChanged) -> None:
    """A new license number has not been checked by anyone: the account needs approval again."""
    account = await store.account_by_id(session, uuid.UUID(event.user_id), lock=True)
    if account is None:
        return
    status, before = approval_revoked(account)
    if (status, before) == (account.status, account.status_before_suspension):
        return
    changed = await store.set_status(session, account.id, status, before)
    await store.revoke_all_of_user(session, account.id, event.metadata.occur_time.ToDatetime().astimezone())
    await user_approval_revoked(session, changed, f"license number changed to {event.license_number}")


def subscriptions() -> list[Subscription]:
    """Every event the auth service consumes, with its handler."""
    return [subscribe(LICENSE_CHANGED, on_license_changed)]
