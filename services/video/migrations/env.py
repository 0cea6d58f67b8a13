"""Alembic environment of the video database."""

from services.common.migrations_env import run_migrations

run_migrations()
