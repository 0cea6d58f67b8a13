"""Tables of the inventory database: locations (from profile events), catalog, batches, the ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TZ = sa.DateTime(timezone=True)
ID = UUID(as_uuid=True)
MONEY = sa.Numeric(12, 2)


class Base(DeclarativeBase):
    pass


class Location(Base):
    """Every clinic and pharmacy with its owner, as profile events describe them (newest version wins)."""

    __tablename__ = "locations"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('CLINIC', 'PHARMACY')", name="locations_kind"),
        sa.Index("locations_owner", "owner_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.Text)
    owner_id: Mapped[uuid.UUID] = mapped_column(ID)
    name: Mapped[str] = mapped_column(sa.Text, server_default="")
    time_zone: Mapped[str] = mapped_column(sa.Text, server_default="UTC")
    currency: Mapped[str] = mapped_column(sa.Text, server_default="")
    version: Mapped[int] = mapped_column(sa.BigInteger, comment="0: re-read from the profile service, not an event")


class CatalogItem(Base):
    __tablename__ = "catalog_items"
    __table_args__ = (
        sa.CheckConstraint(
            "unit_type IN ('TABLET', 'CAPSULE', 'BOTTLE', 'STRIP', 'VIAL', 'TUBE', 'SACHET', 'UNIT')",
            name="catalog_items_unit_type",
        ),
        sa.CheckConstraint("reorder_level >= 0", name="catalog_items_reorder_level"),
        sa.CheckConstraint("selling_price >= 0", name="catalog_items_selling_price"),
        sa.Index("catalog_items_drug_name", "location_id", sa.text("lower(drug_name)"), unique=True),
        sa.Index("catalog_items_newest", "location_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("locations.id"))
    drug_name: Mapped[str] = mapped_column(sa.Text)
    generic_name: Mapped[str | None] = mapped_column(sa.Text)
    unit_type: Mapped[str] = mapped_column(sa.Text)
    reorder_level: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    selling_price: Mapped[Decimal | None] = mapped_column(MONEY)
    active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("true"))
    low: Mapped[bool] = mapped_column(
        sa.Boolean, server_default=sa.text("true"), comment="at or below the reorder level at the last change"
    )
    version: Mapped[int] = mapped_column(sa.BigInteger, server_default="1")
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Batch(Base):
    """One delivery of an item. Its quantity is the sum of its ledger lines: only the ledger's trigger
    changes it (see the migration)."""

    __tablename__ = "batches"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="batches_quantity_not_negative"),
        sa.CheckConstraint("quantity <= 1000000000", name="batches_quantity_limit"),
        sa.CheckConstraint("cost_price >= 0", name="batches_cost_price"),
        sa.UniqueConstraint("catalog_item_id", "batch_number", name="batches_number_per_item"),
        sa.Index("batches_fefo", "catalog_item_id", "expiry_date", "received_at", "id"),
        sa.Index("batches_location_expiry", "location_id", "expiry_date", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    catalog_item_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("catalog_items.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("locations.id"))
    batch_number: Mapped[str] = mapped_column(sa.Text)
    expiry_date: Mapped[date] = mapped_column(sa.Date)
    quantity: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    cost_price: Mapped[Decimal] = mapped_column(MONEY)
    received_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class StockTransaction(Base):
    """The ledger: append-only, one signed line per change of a batch's quantity."""

    __tablename__ = "stock_transactions"
    __table_args__ = (
        sa.CheckConstraint(
            "type IN ('IN', 'OUT', 'ADJUSTMENT', 'DISPENSE', 'RETURN', 'EXPIRED')", name="stock_transactions_type"
        ),
        sa.CheckConstraint("quantity <> 0", name="stock_transactions_not_zero"),
        sa.CheckConstraint("(type = 'IN') = (quantity > 0)", name="stock_transactions_sign"),
        sa.Index("stock_transactions_location", "location_id", "seq"),
        sa.Index("stock_transactions_item", "catalog_item_id", "seq"),
        sa.Index("stock_transactions_batch", "batch_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True, comment="ledger order")
    type: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    batch_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("batches.id"))
    catalog_item_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("catalog_items.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ID, sa.ForeignKey("locations.id"))
    reference: Mapped[str] = mapped_column(sa.Text, server_default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class StockRequest(Base):
    """Request ids already used (SPEC 1, Idempotency): a repeat returns `result`, the first outcome."""

    __tablename__ = "stock_requests"

    actor_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.Text)
    result: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
