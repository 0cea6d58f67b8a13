"""Operator actions on the auth database that no API may perform: the first SYSTEM_ADMIN."""

from __future__ import annotations

from services.auth.accounts import Account, NewAccount
from services.auth.passwords import PasswordHasher
from services.auth.service import insert_account
from services.common.context import Role
from services.common.db import create_engine, create_sessions, transaction
from services.common.errors import DomainError


async def create_system_admin(database_url: str, email: str, password: str, first_name: str, last_name: str) -> Account:
    """Create an ACTIVE SYSTEM_ADMIN; its registration event leaves through the outbox like any other."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=1)
    try:
        async with transaction(create_sessions(engine)) as session:
            request = NewAccount(email, password, Role.SYSTEM_ADMIN, first_name, last_name, "")
            return await insert_account(session, PasswordHasher(), request, by_admin=True)
    except DomainError as error:
        details = "; ".join(f"{v.field}: {v.description}" for v in error.violations) or error.message
        raise SystemExit(f"cannot create the administrator: {details}") from None
    finally:
        await engine.dispose()
