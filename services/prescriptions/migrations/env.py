"""Alembic environment of the prescriptions database."""

from services.common.migrations_env import run_migrations

run_migrations()
