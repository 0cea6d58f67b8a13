"""Locations, catalog, batches, the ledger and request ids; the stock functions and the ledger's guards.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from services.common.event_tables import add_json_payloads, create_event_tables, drop_event_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The ledger is the truth of every batch's quantity: a batch is inserted empty, and only a ledger line
# changes its quantity (the trigger adds the line's signed quantity); lines are never updated or
# deleted. So for every batch the sum of its lines equals its quantity, whatever SQL runs, and the
# batch's `quantity >= 0` check refuses any line that would take more than is there.
LEDGER_GUARDS = """
CREATE FUNCTION inventory_ledger_applies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE batches SET quantity = quantity + NEW.quantity WHERE id = NEW.batch_id;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_transactions_apply AFTER INSERT ON stock_transactions
    FOR EACH ROW EXECUTE FUNCTION inventory_ledger_applies();

CREATE FUNCTION inventory_ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % refused', TG_OP USING ERRCODE = 'PI001';
END $$;
CREATE TRIGGER stock_transactions_append_only BEFORE UPDATE OR DELETE ON stock_transactions
    FOR EACH ROW EXECUTE FUNCTION inventory_ledger_is_append_only();
CREATE TRIGGER stock_transactions_no_truncate BEFORE TRUNCATE ON stock_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_ledger_is_append_only();

-- A quantity change is the ledger's own (its trigger runs one level deeper than any statement).
CREATE FUNCTION inventory_batch_quantity_from_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.quantity <> 0 THEN
        RAISE EXCEPTION 'a batch starts empty; stock arrives as ledger lines' USING ERRCODE = 'PI001';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.quantity IS DISTINCT FROM OLD.quantity AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a batch quantity changes only through its ledger' USING ERRCODE = 'PI001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER batches_quantity_from_ledger BEFORE INSERT OR UPDATE ON batches
    FOR EACH ROW EXECUTE FUNCTION inventory_batch_quantity_from_ledger();
"""

# Shapes the stock functions return and publish. Catalog items and dispenses are in the proto3 JSON
# mapping of pulseone.inventory.v1 (the outbox relay encodes them); batches and ledger lines in the
# store's own shape. Money and dates are text, never JSON numbers.
SHAPES = """
CREATE FUNCTION inventory_instant(p_time timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(p_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE FUNCTION inventory_today(p_location uuid, p_now timestamptz) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (p_now AT TIME ZONE l.time_zone)::date FROM locations l WHERE l.id = p_location
$$;

CREATE FUNCTION inventory_usable_quantity(p_item uuid, p_today date) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(b.quantity), 0)::int FROM batches b WHERE b.catalog_item_id = p_item AND b.expiry_date > p_today
$$;

CREATE FUNCTION inventory_item_json(p_item catalog_items, p_quantity int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', p_item.id, 'locationId', p_item.location_id, 'drugName', p_item.drug_name,
        'genericName', p_item.generic_name, 'unitType', p_item.unit_type, 'reorderLevel', p_item.reorder_level,
        'sellingPrice', p_item.selling_price::text, 'active', p_item.active, 'currentQuantity', p_quantity,
        'createTime', inventory_instant(p_item.created_at), 'updateTime', inventory_instant(p_item.updated_at)
    ))
$$;

CREATE FUNCTION inventory_batch_json(p_batch uuid, p_today date) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', b.id, 'catalogItemId', b.catalog_item_id, 'locationId', b.location_id,
        'batchNumber', b.batch_number, 'expiryDate', b.expiry_date::text, 'quantity', b.quantity,
        'costPrice', b.cost_price::text, 'receivedAt', inventory_instant(b.received_at),
        'drugName', i.drug_name, 'today', p_today::text
    )
    FROM batches b JOIN catalog_items i ON i.id = b.catalog_item_id WHERE b.id = p_batch
$$;

CREATE FUNCTION inventory_transactions_json(p_ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
        'id', t.id, 'seq', t.seq, 'type', t.type, 'quantity', t.quantity, 'batchId', t.batch_id,
        'catalogItemId', t.catalog_item_id, 'locationId', t.location_id, 'reference', t.reference,
        'actorId', t.actor_id, 'time', inventory_instant(t.created_at)
    ) ORDER BY t.seq), '[]'::jsonb)
    FROM stock_transactions t WHERE t.id = ANY(p_ids)
$$;

CREATE FUNCTION inventory_item_now_json(p_item uuid, p_today date) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT inventory_item_json(i, inventory_usable_quantity(i.id, p_today)) FROM catalog_items i WHERE i.id = p_item
$$;

CREATE FUNCTION inventory_record_event(
    p_subject text, p_entity uuid, p_version bigint, p_actor uuid, p_role text, p_trace text, p_now timestamptz,
    p_body jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_event uuid := gen_random_uuid();
BEGIN
    INSERT INTO outbox (event_id, subject, payload_json) VALUES (v_event, p_subject, jsonb_build_object(
        'metadata', jsonb_build_object(
            'eventId', v_event, 'occurTime', inventory_instant(p_now), 'actorId', coalesce(p_actor::text, ''),
            'actorRole', p_role, 'entityId', p_entity, 'entityVersion', p_version::text, 'requestId', p_trace
        )
    ) || p_body);
END $$;
"""

# Refusals are raised with SQLSTATE PI000, the reason as the message and its metadata as JSON in the
# detail; the store turns them into the named domain errors.
REFUSE = """
CREATE FUNCTION inventory_refuse(p_reason text, p_metadata jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'PI000', MESSAGE = p_reason, DETAIL = p_metadata::text;
END $$;

-- The first use of a request id claims it; a repeat waits for the first to commit or roll back, then
-- gets its recorded result (NULL: claimed now, go ahead).
CREATE FUNCTION inventory_claim(p_actor uuid, p_request uuid, p_kind text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_kind text;
    v_result jsonb;
BEGIN
    IF p_request IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO stock_requests (actor_id, request_id, kind) VALUES (p_actor, p_request, p_kind)
        ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    SELECT r.kind, r.result INTO v_kind, v_result FROM stock_requests r
        WHERE r.actor_id = p_actor AND r.request_id = p_request;
    IF v_kind <> p_kind THEN
        PERFORM inventory_refuse('REQUEST_ID_REUSED', jsonb_build_object('requestId', p_request));
    END IF;
    RETURN v_result;
END $$;

CREATE FUNCTION inventory_remember(p_actor uuid, p_request uuid, p_result jsonb) RETURNS void LANGUAGE sql AS $$
    UPDATE stock_requests SET result = p_result WHERE actor_id = p_actor AND request_id = p_request
$$;

-- The item, locked, after the ownership check: an item that does not exist and an item of someone
-- else's location are the same refusal (ids cannot be probed). p_owner NULL: checked by the caller.
CREATE FUNCTION inventory_lock_item(p_item uuid, p_owner uuid) RETURNS catalog_items LANGUAGE plpgsql AS $$
DECLARE
    v_item catalog_items;
BEGIN
    SELECT i.* INTO v_item FROM catalog_items i WHERE i.id = p_item FOR UPDATE;
    IF NOT FOUND OR (p_owner IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM locations l WHERE l.id = v_item.location_id AND l.owner_id = p_owner
    )) THEN
        PERFORM inventory_refuse('NOT_OWNER', jsonb_build_object('catalogItemId', p_item));
    END IF;
    RETURN v_item;
END $$;
"""

# A fall to or below the reorder level publishes STOCK_LOW once; rising above it re-arms the item.
# An item no longer active is never low. The caller holds the item's lock.
CHECK_LEVEL = """
CREATE FUNCTION inventory_check_level(
    p_item uuid, p_now timestamptz, p_actor uuid, p_role text, p_trace text, p_low_subject text
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_item catalog_items;
    v_quantity int;
    v_low boolean;
BEGIN
    SELECT i.* INTO v_item FROM catalog_items i WHERE i.id = p_item;
    v_quantity := inventory_usable_quantity(p_item, inventory_today(v_item.location_id, p_now));
    v_low := v_item.active AND v_quantity <= v_item.reorder_level;
    IF v_low = v_item.low THEN
        RETURN;
    END IF;
    UPDATE catalog_items SET low = v_low, version = version + 1 WHERE id = p_item RETURNING * INTO v_item;
    IF v_low THEN
        PERFORM inventory_record_event(
            p_low_subject, p_item, v_item.version, p_actor, p_role, p_trace, p_now,
            jsonb_build_object(
                'catalogItem', inventory_item_json(v_item, v_quantity),
                'shortage', greatest(0, v_item.reorder_level - v_quantity)
            )
        );
    END IF;
END $$;
"""

STOCK_IN = """
CREATE FUNCTION inventory_stock_in(
    p_item uuid, p_owner uuid, p_batch_number text, p_expiry date, p_quantity int, p_cost numeric,
    p_reference text, p_request uuid, p_actor uuid, p_role text, p_trace text, p_now timestamptz,
    p_low_subject text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_replay jsonb;
    v_item catalog_items;
    v_today date;
    v_batch batches;
    v_transaction uuid := gen_random_uuid();
BEGIN
    v_replay := inventory_claim(p_actor, p_request, 'STOCK_IN');
    IF v_replay IS NOT NULL THEN
        SELECT b.catalog_item_id, b.location_id INTO v_item.id, v_item.location_id
            FROM batches b WHERE b.id = (v_replay->>'batchId')::uuid;
        v_today := inventory_today(v_item.location_id, p_now);
        RETURN jsonb_build_object(
            'batch', inventory_batch_json((v_replay->>'batchId')::uuid, v_today),
            'transactions', inventory_transactions_json(ARRAY[(v_replay->>'transactionId')::uuid])
        );
    END IF;
    v_item := inventory_lock_item(p_item, p_owner);
    IF NOT v_item.active THEN
        PERFORM inventory_refuse('CATALOG_ITEM_INACTIVE', jsonb_build_object('catalogItemId', p_item));
    END IF;
    v_today := inventory_today(v_item.location_id, p_now);
    IF p_expiry <= v_today THEN
        PERFORM inventory_refuse('BATCH_EXPIRED', jsonb_build_object('expiryDate', p_expiry, 'today', v_today));
    END IF;
    SELECT b.* INTO v_batch FROM batches b WHERE b.catalog_item_id = p_item AND b.batch_number = p_batch_number;
    IF NOT FOUND THEN
        INSERT INTO batches (
            id, catalog_item_id, location_id, batch_number, expiry_date, quantity, cost_price, received_at
        ) VALUES (gen_random_uuid(), p_item, v_item.location_id, p_batch_number, p_expiry, 0, p_cost, p_now)
            RETURNING * INTO v_batch;
    ELSIF v_batch.expiry_date <> p_expiry THEN
        PERFORM inventory_refuse(
            'BATCH_NUMBER_TAKEN', jsonb_build_object('batchNumber', p_batch_number, 'expiryDate', v_batch.expiry_date)
        );
    END IF;
    INSERT INTO stock_transactions (
        id, type, quantity, batch_id, catalog_item_id, location_id, reference, actor_id, created_at
    ) VALUES (v_transaction, 'IN', p_quantity, v_batch.id, p_item, v_item.location_id, p_reference, p_actor, p_now);
    PERFORM inventory_check_level(p_item, p_now, p_actor, p_role, p_trace, p_low_subject);
    IF p_request IS NOT NULL THEN
        PERFORM inventory_remember(
            p_actor, p_request, jsonb_build_object('batchId', v_batch.id, 'transactionId', v_transaction)
        );
    END IF;
    RETURN jsonb_build_object(
        'batch', inventory_batch_json(v_batch.id, v_today),
        'transactions', inventory_transactions_json(ARRAY[v_transaction])
    );
END $$;
"""

# Takes `p_quantity` units of an item: from the named batch, or first expiry first from the batches
# holding stock that are usable (p_expired false) or that expired (p_expired true, writing them off).
# Every batch taken from is locked; each statement sees what committed before the item's lock was
# granted (a fresh snapshot per statement, unlike a single lock-and-pick CTE).
TAKE = """
CREATE FUNCTION inventory_take(
    p_item uuid, p_location uuid, p_quantity int, p_type text, p_expired boolean, p_batch uuid, p_today date,
    p_reference text, p_actor uuid, p_now timestamptz
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_available int;
    v_remaining int := p_quantity;
    v_take int;
    v_batch record;
    v_uses jsonb := '[]'::jsonb;
    v_transaction uuid;
BEGIN
    IF p_batch IS NOT NULL THEN
        SELECT b.quantity INTO v_available FROM batches b
            WHERE b.id = p_batch AND b.catalog_item_id = p_item FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM inventory_refuse('BATCH_NOT_FOUND', jsonb_build_object('batchId', p_batch));
        END IF;
    ELSE
        SELECT coalesce(sum(b.quantity), 0)::int INTO v_available FROM batches b
            WHERE b.catalog_item_id = p_item AND b.quantity > 0 AND (b.expiry_date > p_today) <> p_expired;
    END IF;
    IF v_available < p_quantity THEN
        PERFORM inventory_refuse('INSUFFICIENT_STOCK', jsonb_build_object(
            'catalogItemId', p_item, 'requested', p_quantity::text, 'available', v_available::text
        ));
    END IF;
    FOR v_batch IN
        SELECT b.id, b.batch_number, b.expiry_date, b.quantity, b.cost_price FROM batches b
        WHERE b.catalog_item_id = p_item AND b.quantity > 0
          AND (b.id = p_batch OR (p_batch IS NULL AND (b.expiry_date > p_today) <> p_expired))
        ORDER BY b.expiry_date, b.received_at, b.id
        FOR UPDATE
    LOOP
        v_take := least(v_remaining, v_batch.quantity);
        v_transaction := gen_random_uuid();
        INSERT INTO stock_transactions (
            id, type, quantity, batch_id, catalog_item_id, location_id, reference, actor_id, created_at
        ) VALUES (v_transaction, p_type, -v_take, v_batch.id, p_item, p_location, p_reference, p_actor, p_now);
        v_uses := v_uses || jsonb_build_array(jsonb_build_object(
            'transactionId', v_transaction, 'batchId', v_batch.id, 'batchNumber', v_batch.batch_number,
            'expiryDate', v_batch.expiry_date::text, 'quantity', v_take, 'costPrice', v_batch.cost_price::text,
            'cost', (v_take * v_batch.cost_price)::text
        ));
        v_remaining := v_remaining - v_take;
        EXIT WHEN v_remaining = 0;
    END LOOP;
    RETURN v_uses;
END $$;
"""

STOCK_OUT = """
CREATE FUNCTION inventory_stock_out(
    p_item uuid, p_owner uuid, p_quantity int, p_type text, p_expired boolean, p_batch uuid, p_reference text,
    p_request uuid, p_actor uuid, p_role text, p_trace text, p_now timestamptz, p_low_subject text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_replay jsonb;
    v_item catalog_items;
    v_today date;
    v_uses jsonb;
    v_ids uuid[];
BEGIN
    v_replay := inventory_claim(p_actor, p_request, 'STOCK_OUT');
    IF v_replay IS NOT NULL THEN
        SELECT array_agg(value::uuid) INTO v_ids FROM jsonb_array_elements_text(v_replay->'transactionIds');
        SELECT i.location_id INTO v_item.location_id FROM catalog_items i
            WHERE i.id = (v_replay->>'catalogItemId')::uuid;
        v_today := inventory_today(v_item.location_id, p_now);
        RETURN jsonb_build_object(
            'catalogItem', inventory_item_now_json((v_replay->>'catalogItemId')::uuid, v_today),
            'transactions', inventory_transactions_json(v_ids)
        );
    END IF;
    v_item := inventory_lock_item(p_item, p_owner);
    v_today := inventory_today(v_item.location_id, p_now);
    v_uses := inventory_take(
        p_item, v_item.location_id, p_quantity, p_type, p_expired, p_batch, v_today, p_reference, p_actor, p_now
    );
    SELECT array_agg((u->>'transactionId')::uuid) INTO v_ids FROM jsonb_array_elements(v_uses) u;
    PERFORM inventory_check_level(p_item, p_now, p_actor, p_role, p_trace, p_low_subject);
    IF p_request IS NOT NULL THEN
        PERFORM inventory_remember(
            p_actor, p_request, jsonb_build_object('catalogItemId', p_item, 'transactionIds', to_jsonb(v_ids))
        );
    END IF;
    RETURN jsonb_build_object(
        'catalogItem', inventory_item_now_json(p_item, v_today),
        'transactions', inventory_transactions_json(v_ids)
    );
END $$;
"""

# Dispenses every line or none: the items are locked in id order (two dispenses never deadlock), each
# line is taken first expiry first from unexpired batches, and the dispense is published and returned
# in the proto3 JSON of pulseone.inventory.v1.Dispensed.
DISPENSE = """
CREATE SEQUENCE inventory_dispenses;

CREATE FUNCTION inventory_dispense(
    p_location uuid, p_owner uuid, p_items uuid[], p_quantities int[], p_reference text,
    p_request uuid, p_actor uuid, p_role text, p_trace text, p_now timestamptz,
    p_dispensed_subject text, p_low_subject text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_replay jsonb;
    v_owner uuid;
    v_today date;
    v_item catalog_items;
    v_uses jsonb;
    v_cost numeric;
    v_selling numeric;
    v_lines jsonb := '[]'::jsonb;
    v_result jsonb;
    v_item_id uuid;
BEGIN
    v_replay := inventory_claim(p_actor, p_request, 'DISPENSE');
    IF v_replay IS NOT NULL THEN
        RETURN v_replay;
    END IF;
    SELECT l.owner_id INTO v_owner FROM locations l WHERE l.id = p_location;
    IF NOT FOUND OR (p_owner IS NOT NULL AND v_owner <> p_owner) THEN
        PERFORM inventory_refuse('NOT_OWNER', jsonb_build_object('locationId', p_location));
    END IF;
    v_today := inventory_today(p_location, p_now);
    PERFORM 1 FROM catalog_items i WHERE i.id = ANY(p_items) ORDER BY i.id FOR UPDATE;
    FOR n IN 1 .. coalesce(array_length(p_items, 1), 0) LOOP
        SELECT i.* INTO v_item FROM catalog_items i WHERE i.id = p_items[n] AND i.location_id = p_location;
        IF NOT FOUND THEN
            PERFORM inventory_refuse('CATALOG_ITEM_NOT_FOUND', jsonb_build_object('catalogItemId', p_items[n]));
        END IF;
        IF NOT v_item.active THEN
            PERFORM inventory_refuse('CATALOG_ITEM_INACTIVE', jsonb_build_object('catalogItemId', p_items[n]));
        END IF;
        v_uses := inventory_take(
            v_item.id, p_location, p_quantities[n], 'DISPENSE', false, NULL, v_today, p_reference, p_actor, p_now
        );
        SELECT coalesce(sum((u->>'cost')::numeric), 0) INTO v_cost FROM jsonb_array_elements(v_uses) u;
        v_selling := p_quantities[n] * coalesce(v_item.selling_price, 0);
        v_lines := v_lines || jsonb_build_array(jsonb_build_object(
            'catalogItemId', v_item.id, 'quantity', p_quantities[n],
            'batches', (SELECT jsonb_agg(u - 'transactionId' - 'cost') FROM jsonb_array_elements(v_uses) u),
            'costTotal', round(v_cost, 2)::text, 'sellingTotal', round(v_selling, 2)::text
        ));
    END LOOP;
    FOR v_item_id IN SELECT DISTINCT unnest(p_items) LOOP
        PERFORM inventory_check_level(v_item_id, p_now, p_actor, p_role, p_trace, p_low_subject);
    END LOOP;
    v_result := jsonb_build_object(
        'locationId', p_location, 'reference', p_reference, 'lines', v_lines,
        'costTotal', (
            SELECT round(coalesce(sum((l->>'costTotal')::numeric), 0), 2)::text FROM jsonb_array_elements(v_lines) l
        ),
        'sellingTotal', (
            SELECT round(coalesce(sum((l->>'sellingTotal')::numeric), 0), 2)::text FROM jsonb_array_elements(v_lines) l
        )
    );
    PERFORM inventory_record_event(
        p_dispensed_subject, p_location, nextval('inventory_dispenses'), p_actor, p_role, p_trace, p_now,
        jsonb_build_object('dispensed', v_result)
    );
    IF p_request IS NOT NULL THEN
        PERFORM inventory_remember(p_actor, p_request, v_result);
    END IF;
    RETURN v_result;
END $$;
"""

FUNCTIONS = [LEDGER_GUARDS, SHAPES, REFUSE, CHECK_LEVEL, TAKE, STOCK_IN, STOCK_OUT, DISPENSE]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("time_zone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column("currency", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "version",
            sa.BigInteger(),
            nullable=False,
            comment="0: re-read from the profile service, not an event",
        ),
        sa.CheckConstraint("kind IN ('CLINIC', 'PHARMACY')", name="locations_kind"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("locations_owner", "locations", ["owner_id"])
    op.create_table(
        "catalog_items",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("location_id", sa.UUID(), nullable=False),
        sa.Column("drug_name", sa.Text(), nullable=False),
        sa.Column("generic_name", sa.Text(), nullable=True),
        sa.Column("unit_type", sa.Text(), nullable=False),
        sa.Column("reorder_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("selling_price", sa.Numeric(12, 2), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "low",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="at or below the reorder level at the last change",
        ),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "unit_type IN ('TABLET', 'CAPSULE', 'BOTTLE', 'STRIP', 'VIAL', 'TUBE', 'SACHET', 'UNIT')",
            name="catalog_items_unit_type",
        ),
        sa.CheckConstraint("reorder_level >= 0", name="catalog_items_reorder_level"),
        sa.CheckConstraint("selling_price >= 0", name="catalog_items_selling_price"),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "catalog_items_drug_name", "catalog_items", ["location_id", sa.text("lower(drug_name)")], unique=True
    )
    op.create_index("catalog_items_newest", "catalog_items", ["location_id", "created_at", "id"])
    op.create_table(
        "batches",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("catalog_item_id", sa.UUID(), nullable=False),
        sa.Column("location_id", sa.UUID(), nullable=False),
        sa.Column("batch_number", sa.Text(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("quantity >= 0", name="batches_quantity_not_negative"),
        sa.CheckConstraint("quantity <= 1000000000", name="batches_quantity_limit"),
        sa.CheckConstraint("cost_price >= 0", name="batches_cost_price"),
        sa.ForeignKeyConstraint(["catalog_item_id"], ["catalog_items.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("catalog_item_id", "batch_number", name="batches_number_per_item"),
    )
    op.create_index("batches_fefo", "batches", ["catalog_item_id", "expiry_date", "received_at", "id"])
    op.create_index("batches_location_expiry", "batches", ["location_id", "expiry_date", "id"])
    op.create_table(
        "stock_transactions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False, comment="ledger order"),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.UUID(), nullable=False),
        sa.Column("catalog_item_id", sa.UUID(), nullable=False),
        sa.Column("location_id", sa.UUID(), nullable=False),
        sa.Column("reference", sa.Text(), server_default="", nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "type IN ('IN', 'OUT', 'ADJUSTMENT', 'DISPENSE', 'RETURN', 'EXPIRED')", name="stock_transactions_type"
        ),
        sa.CheckConstraint("quantity <> 0", name="stock_transactions_not_zero"),
        sa.CheckConstraint("(type = 'IN') = (quantity > 0)", name="stock_transactions_sign"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
        sa.ForeignKeyConstraint(["catalog_item_id"], ["catalog_items.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("stock_transactions_location", "stock_transactions", ["location_id", "seq"])
    op.create_index("stock_transactions_item", "stock_transactions", ["catalog_item_id", "seq"])
    op.create_index("stock_transactions_batch", "stock_transactions", ["batch_id"])
    op.create_table(
        "stock_requests",
        sa.Column("actor_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("result", JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "request_id"),
    )
    create_event_tables()
    add_json_payloads()
    for functions in FUNCTIONS:
        op.execute(functions)


def downgrade() -> None:
    for table in ("stock_requests", "stock_transactions", "batches", "catalog_items", "locations", "accounts"):
        op.execute(f"DROP TABLE {table} CASCADE")
    op.execute("DROP SEQUENCE inventory_dispenses")
    op.execute(
        "DO $$ DECLARE f regprocedure; BEGIN "
        "FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.proname LIKE 'inventory\\_%' "
        "LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP; END $$"
    )
    drop_event_tables()
