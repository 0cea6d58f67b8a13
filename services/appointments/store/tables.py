"""The tables of the appointments database as SQLAlchemy Core sees them (from models.py), and how a
row becomes a domain value: columns and fields have the same names."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import sqlalchemy as sa

from services.appointments import models
from services.common import projections

accounts = projections.accounts
doctors = cast(sa.Table, models.Doctor.__table__)
clinics = cast(sa.Table, models.Clinic.__table__)
affiliations = cast(sa.Table, models.Affiliation.__table__)
consents = cast(sa.Table, models.Consent.__table__)
sessions = cast(sa.Table, models.Session.__table__)
overrides = cast(sa.Table, models.SessionOverride.__table__)
occurrences = cast(sa.Table, models.Occurrence.__table__)
appointments = cast(sa.Table, models.Appointment.__table__)
history = cast(sa.Table, models.StatusChange.__table__)
call_next_requests = cast(sa.Table, models.CallNextRequest.__table__)
notes = cast(sa.Table, models.ConsultationNotes.__table__)
addenda = cast(sa.Table, models.Addendum.__table__)


T = TypeVar("T")


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def value_of(kind: type[T], row: Mapping[str, Any] | sa.RowMapping, *, prefix: str = "", **converted: Any) -> T:
    """A domain value read from a row whose columns bear its field names (`prefix` before each, when
    the query labelled them so); `converted` gives the fields that need more than the column's value."""
    values = {name: row[prefix + name] for name in _field_names(kind) if name not in converted}
    return kind(**values, **converted)


def row_of(value: object, table: sa.Table) -> dict[str, Any]:
    """The row of a table that a domain value is (each column from the field of its name)."""
    return {column.name: getattr(value, column.name) for column in table.c}
