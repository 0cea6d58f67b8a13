"""License numbers: a doctor or a pharmacy that changes theirs goes back to approval (SPEC 3.2)."""

from __future__ import annotations


def changed_license(before: str | None, requested: str | None) -> str | None:
    """The new license number when a change sets another, non-empty one; None when nothing changes."""
    return requested if requested and requested != before else None
