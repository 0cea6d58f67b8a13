"""Tables of the auth database."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("PATIENT", "DOCTOR", "CLINIC_ADMIN", "PHARMACY", "SYSTEM_ADMIN")
STATUSES = ("ACTIVE", "PENDING_APPROVAL", "SUSPENDED")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(_one_of("role", ROLES), name="users_role"),
        sa.CheckConstraint(_one_of("status", STATUSES), name="users_status"),
        sa.CheckConstraint("email = lower(btrim(email))", name="users_email_normalized"),
        sa.Index("users_newest", sa.text("created_at DESC"), sa.text("id DESC")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    email: Mapped[str] = mapped_column(sa.Text, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)
    status_before_suspension: Mapped[str | None] = mapped_column(sa.Text)
    first_name: Mapped[str] = mapped_column(sa.Text)
    last_name: Mapped[str] = mapped_column(sa.Text)
    phone_number: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (sa.Index("refresh_tokens_family", "family_id"), sa.Index("refresh_tokens_user", "user_id"))

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[bytes] = mapped_column(BYTEA, unique=True)
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    family_expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed sign-ins per email and client address (unknown emails too, so replies reveal nothing)."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    client_address: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    lockouts: Mapped[int] = mapped_column(sa.Integer, default=0)
