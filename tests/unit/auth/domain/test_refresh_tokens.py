from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.auth.domain.refresh_tokens import (
    ABSOLUTE_LIFETIME,
    IDLE_LIFETIME,
    REUSE_GRACE,
    StoredToken,
    TokenRecord,
    Verdict,
    first_of_family,
    judge,
    new_token,
    rotated,
    successor_expiry,
    successor_of,
    token_hash,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def stored(**changes: object) -> StoredToken:
    values: dict[str, object] = {
        "issued_at": NOW - timedelta(days=1),
        "expires_at": NOW + IDLE_LIFETIME,
        "family_expires_at": NOW + ABSOLUTE_LIFETIME,
        "used_at": None,
        "revoked_at": None,
    }
    values.update(changes)
    return StoredToken(**values)  # type: ignore[arg-type]


def test_an_unused_live_token_rotates() -> None:
    assert judge(stored(), NOW) is Verdict.ROTATE


def test_a_token_used_moments_ago_gives_the_same_successor_again() -> None:
    assert judge(stored(used_at=NOW - timedelta(seconds=3)), NOW) is Verdict.REPEAT_SUCCESSOR
    assert judge(stored(used_at=NOW - REUSE_GRACE), NOW) is Verdict.REPEAT_SUCCESSOR


def test_a_token_used_beyond_the_grace_period_is_theft() -> None:
    assert judge(stored(used_at=NOW - REUSE_GRACE - timedelta(seconds=1)), NOW) is Verdict.REUSE_DETECTED


def test_revocation_wins_over_everything() -> None:
    assert judge(stored(revoked_at=NOW, used_at=NOW), NOW) is Verdict.REVOKED


def test_idle_and_absolute_expiry() -> None:
    assert judge(stored(expires_at=NOW), NOW) is Verdict.EXPIRED
    assert judge(stored(family_expires_at=NOW - timedelta(seconds=1)), NOW) is Verdict.EXPIRED


def test_successors_are_deterministic_per_pepper_and_unguessable_without_it() -> None:
    token = new_token()
    assert successor_of(token, b"pepper") == successor_of(token, b"pepper")
    assert successor_of(token, b"pepper") != successor_of(token, b"other")
    assert successor_of(token, b"pepper") != token


def test_tokens_are_stored_as_hashes() -> None:
    token = new_token()
    assert len(token) >= 43
    assert token_hash(token) != token.encode()
    assert len(token_hash(token)) == 32


def test_a_successor_never_outlives_its_family() -> None:
    family_end = NOW + timedelta(days=3)
    assert successor_expiry(NOW, family_end) == family_end
    assert successor_expiry(NOW, NOW + timedelta(days=60)) == NOW + IDLE_LIFETIME


def test_a_new_sign_in_starts_a_family_that_lives_the_absolute_lifetime() -> None:
    user_id = uuid.uuid4()
    first = first_of_family(user_id, NOW)
    assert (first.user_id, first.issued_at) == (user_id, NOW)
    assert first.expires_at == NOW + IDLE_LIFETIME
    assert first.family_expires_at == NOW + ABSOLUTE_LIFETIME
    assert first.hash == token_hash(first.token)
    assert first_of_family(user_id, NOW).family_id != first.family_id


def test_a_rotated_token_stays_in_its_family_and_never_outlives_it() -> None:
    family_end = NOW + timedelta(days=3)
    record = TokenRecord(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), stored(family_expires_at=family_end))
    successor = rotated(record, "successor", NOW)
    assert (successor.token, successor.family_id, successor.user_id) == ("successor", record.family_id, record.user_id)
    assert (successor.expires_at, successor.family_expires_at) == (family_end, family_end)
