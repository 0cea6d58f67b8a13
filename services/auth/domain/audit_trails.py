"""Merging the audit trails of several services into one listing, newest first, page by page.

Each trail is ordered newest first by (time, id). A merged page takes the newest entries of all the
trails (ties between trails broken by service name), and the listing remembers, per trail, the
position of the last entry it gave out of it: the next page asks each trail only for what is older,
so no entry is skipped or given twice, whatever share of a trail's page a merged page took.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
Position = tuple[datetime, int]
"""Where an entry stands in its trail: its time and id."""


@dataclass(frozen=True)
class Cursor:
    """How far a listing has read one trail."""

    after: Position | None = None
    """The position of the last entry given out of it; None: nothing yet."""
    done: bool = False
    """Every entry of it that matches has been given."""


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """What one trail answered: its next entries after the cursor, newest first, and whether it holds older ones."""

    entries: list[T]
    more: bool


@dataclass(frozen=True)
class MergedPage(Generic[T]):
    entries: list[tuple[str, T]]
    """(service, entry), newest first."""
    cursors: dict[str, Cursor]
    last: bool


def merge(
    cursors: Mapping[str, Cursor], fetched: Mapping[str, Fetched[T]], position: Callable[[T], Position], limit: int
) -> MergedPage[T]:
    """The next `limit` entries of the trails. `fetched` holds, for every trail not done, its next
    `limit` entries (or all it has left), so the newest `limit` of all are among them."""
    candidates = [(position(e), service, e) for service, found in fetched.items() for e in found.entries]
    candidates.sort(key=lambda c: (c[0][0], c[1], c[0][1]), reverse=True)
    taken = candidates[:limit]
    moved = dict(cursors)
    for service, found in fetched.items():
        mine = [at for at, of, _ in taken if of == service]
        after = mine[-1] if mine else cursors[service].after
        moved[service] = Cursor(after, done=len(mine) == len(found.entries) and not found.more)
    return MergedPage(
        entries=[(service, entry) for _, service, entry in taken],
        cursors=moved,
        last=all(c.done for c in moved.values()),
    )
