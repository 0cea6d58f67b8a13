"""The outbox keeps the trace context of what wrote each event, and the stock functions take one.

The column is the shared one (services/common/event_tables.py). Each stock function that records
events (stock in, stock out, dispense) gets an overload with a trailing `p_trace_context jsonb` that
makes the events it writes carry that context (through the column's default), then does exactly
what the 0001 version does: a traced call is still one round trip. The 0001 versions stay, for the
previous release during a rollout and for calls made while tracing is off, which pay nothing for it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from services.common.event_tables import add_trace_contexts, drop_trace_contexts, traced_overload

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# name: (parameters of the 0001 version, the call that passes them on)
FUNCTIONS = {
    "inventory_stock_in": (
        "p_item uuid, p_owner uuid, p_batch_number text, p_expiry date, p_quantity int, p_cost numeric,"
        " p_reference text, p_request uuid, p_actor uuid, p_role text, p_trace text, p_now timestamptz,"
        " p_low_subject text",
        "p_item, p_owner, p_batch_number, p_expiry, p_quantity, p_cost, p_reference, p_request, p_actor, p_role,"
        " p_trace, p_now, p_low_subject",
    ),
    "inventory_stock_out": (
        "p_item uuid, p_owner uuid, p_quantity int, p_type text, p_expired boolean, p_batch uuid, p_reference text,"
        " p_request uuid, p_actor uuid, p_role text, p_trace text, p_now timestamptz, p_low_subject text",
        "p_item, p_owner, p_quantity, p_type, p_expired, p_batch, p_reference, p_request, p_actor, p_role, p_trace,"
        " p_now, p_low_subject",
    ),
    "inventory_dispense": (
        "p_location uuid, p_owner uuid, p_items uuid[], p_quantities int[], p_reference text, p_request uuid,"
        " p_actor uuid, p_role text, p_trace text, p_now timestamptz, p_dispensed_subject text, p_low_subject text",
        "p_location, p_owner, p_items, p_quantities, p_reference, p_request, p_actor, p_role, p_trace, p_now,"
        " p_dispensed_subject, p_low_subject",
    ),
}


def upgrade() -> None:
    add_trace_contexts()
    for name, (parameters, arguments) in FUNCTIONS.items():
        op.execute(traced_overload(name, parameters, arguments, "jsonb"))


def downgrade() -> None:
    for name, (parameters, _) in FUNCTIONS.items():
        op.execute(f"DROP FUNCTION {name}({parameters}, p_trace_context jsonb)")
    drop_trace_contexts()
