"""Alembic environment of the appointments database."""

from services.common.migrations_env import run_migrations

run_migrations()
