"""Events the auth service publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from pulseone.auth.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.auth.accounts import Account, NewAccount
from services.auth.messages import clinic_message, pharmacy_message, user_message
from services.common.outbox import record_event

USER_REGISTERED = "pulseone.auth.user.registered"
USER_APPROVED = "pulseone.auth.user.approved"
USER_SUSPENDED = "pulseone.auth.user.suspended"
USER_REACTIVATED = "pulseone.auth.user.reactivated"


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
