from __future__ import annotations

from services.profile.domain.licenses import changed_license


def test_a_new_license_number_counts_as_a_change() -> None:
    assert changed_license("SLMC-1", "SLMC-2") == "SLMC-2"
    assert changed_license(None, "SLMC-1") == "SLMC-1"


def test_the_same_or_no_license_number_is_no_change() -> None:
    assert changed_license("SLMC-1", "SLMC-1") is None
    assert changed_license("SLMC-1", "") is None
    assert changed_license("SLMC-1", None) is None
