"""Alembic environment of the profile database."""

from services.common.migrations_env import run_migrations

run_migrations()
