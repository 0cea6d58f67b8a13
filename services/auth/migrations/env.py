"""Alembic environment of the auth database."""

from services.common.migrations_env import run_migrations

run_migrations()
