"""Every service's migrations build exactly what its models (and the shared tables) describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scripts.stack import Postgres
from services.appointments import models as appointment_models
from services.auth import models as auth_models
from services.common import audit, event_tables, projections
from services.common.db import migrate
from services.inventory import models as inventory_models
from services.prescriptions import models as prescription_models
from services.profile import models as profile_models
from services.video import models as video_models
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[3] / "services"
SERVICES = {
    "auth": (auth_models.Base.metadata, [event_tables.metadata]),
    "profile": (profile_models.Base.metadata, [event_tables.metadata, audit.metadata, projections.metadata]),
    "appointments": (appointment_models.Base.metadata, [event_tables.metadata, audit.metadata, projections.metadata]),
    "inventory": (inventory_models.Base.metadata, [event_tables.metadata, projections.metadata]),
    "video": (video_models.Base.metadata, [event_tables.metadata, audit.metadata, projections.metadata]),
    "prescriptions": (
        prescription_models.Base.metadata,
        [event_tables.metadata, audit.metadata, projections.metadata],
    ),
}


def _table_of(difference: Any) -> str | None:
    kind = difference[0] if isinstance(difference, tuple) else None
    if kind == "remove_table":
        return str(difference[1].name)
    if kind in ("remove_index", "remove_constraint", "add_index", "add_constraint"):
        return str(difference[1].table.name)
    return None


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_migrations_match_the_models(postgres: Postgres, service: str) -> None:
    url = fresh_database(postgres, f"migrations_{service}")
    migrate(url, ROOT / service / "migrations")
    own, shared = SERVICES[service]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            for metadata in (own, *shared):
                ours = {t.name for t in metadata.sorted_tables}
                differences = [
                    d for d in compare_metadata(context, metadata) if _table_of(d) in ours or _table_of(d) is None
                ]
                # Tables of the other metadata objects show up as "removed"; only our own tables count.
                differences = [
                    d
                    for d in differences
                    if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name not in ours)
                ]
                assert differences == [], f"{service}: {differences}"
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_writing_an_event_notifies_no_one(postgres: Postgres, service: str) -> None:
    """No trigger on the outbox: a NOTIFY in a transaction takes, at commit, a lock that serialises
    every commit that wrote an event (the relay polls instead)."""
    url = fresh_database(postgres, f"outbox_triggers_{service}")
    migrate(url, ROOT / service / "migrations")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            triggers = connection.execute(
                sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'outbox'::regclass AND NOT tgisinternal")
            ).scalars()
            assert list(triggers) == []
    finally:
        engine.dispose()
