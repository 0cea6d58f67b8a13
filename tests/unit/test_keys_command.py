"""`pulseone keys create`: the keys Secret of the chart, brought by the operator."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scripts.cli import main
from services.auth.crypto import KeyRing
from services.common.pagination import PageTokens


def test_keys_create_makes_every_key_the_platform_reads_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "keys"
    assert main(["keys", "create", str(directory)]) == 0
    names = sorted(path.name for path in directory.iterdir())
    assert names == ["auth-key-ring.json", "gateway-secret", "page-token.key"]
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # Each loads as the services load it.
    assert KeyRing(directory / "auth-key-ring.json").jwks()["keys"]
    PageTokens.from_file(directory / "page-token.key")
    assert len((directory / "gateway-secret").read_text().strip()) >= 32
    assert f"--from-file={directory}" in capsys.readouterr().out


def test_keys_create_never_replaces_a_key_it_finds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", str(tmp_path)]) == 0
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    (tmp_path / "page-token.key").unlink()
    assert main(["keys", "create", str(tmp_path)]) == 0
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after["auth-key-ring.json"] == before["auth-key-ring.json"]
    assert after["gateway-secret"] == before["gateway-secret"]
    assert after["page-token.key"] != before["page-token.key"]
    assert main(["keys", "create", str(tmp_path)]) == 0
    assert "already holds every key" in capsys.readouterr().out
