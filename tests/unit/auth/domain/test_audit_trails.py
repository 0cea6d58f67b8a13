"""Merging trails page by page gives every entry exactly once, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.auth.domain.audit_trails import Cursor, Fetched, Position, merge

START = datetime(2030, 1, 1, tzinfo=UTC)


def trail(seconds: list[int]) -> list[Position]:
    """Entries as positions, ids in insertion order, newest first (several may share an instant)."""
    stored = sorted(seconds)
    return sorted(((START + timedelta(seconds=s), i + 1) for i, s in enumerate(stored)), reverse=True)


def read(trail_entries: list[Position], cursor: Cursor, limit: int) -> Fetched[Position]:
    """What a service's AuditTrail answers: at most `limit` entries older than the cursor."""
    older = [e for e in trail_entries if cursor.after is None or e < cursor.after]
    return Fetched(older[:limit], more=len(older) > limit)


def read_all(trails: dict[str, list[Position]], limit: int) -> list[tuple[str, Position]]:
    cursors = {name: Cursor() for name in trails}
    listed: list[tuple[str, Position]] = []
    for _ in range(1000):
        fetched = {n: read(trails[n], c, limit) for n, c in cursors.items() if not c.done}
        page = merge(cursors, fetched, lambda e: e, limit)
        assert len(page.entries) <= limit
        listed += page.entries
        cursors = page.cursors
        if page.last:
            return listed
        assert page.entries, "a page that is not the last is never empty"
    raise AssertionError("no last page")


@given(
    st.dictionaries(
        st.sampled_from(["profile", "appointments", "prescriptions", "video"]),
        st.lists(st.integers(0, 20), max_size=30),
    ),
    st.integers(1, 7),
)
def test_every_entry_is_listed_once_newest_first(seconds: dict[str, list[int]], limit: int) -> None:
    trails = {name: trail(s) for name, s in seconds.items()}

    listed = read_all(trails, limit)

    expected = sorted(
        ((name, e) for name, entries in trails.items() for e in entries),
        key=lambda item: (item[1][0], item[0], item[1][1]),
        reverse=True,
    )
    assert listed == expected


def test_a_trail_whose_entries_were_all_newer_waits_for_its_turn() -> None:
    trails = {"video": trail([100, 101, 102]), "profile": trail([1, 2])}

    cursors = {n: Cursor() for n in trails}
    first = merge(cursors, {n: read(t, cursors[n], 2) for n, t in trails.items()}, lambda e: e, 2)

    assert [s for s, _ in first.entries] == ["video", "video"]
    assert first.cursors["profile"] == Cursor()
    assert not first.cursors["video"].done
    assert not first.last


def test_no_trails_with_anything_left_is_the_last_page() -> None:
    page = merge({"video": Cursor()}, {"video": Fetched[Position]([], more=False)}, lambda e: e, 5)

    assert page.entries == []
    assert page.last
