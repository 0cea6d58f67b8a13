"""Alembic environment of the inventory database."""

from services.common.migrations_env import run_migrations

run_migrations()
