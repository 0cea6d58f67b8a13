"""`pulseone up --replicas SERVICE=N`: what it accepts, and the replicas the platform then runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.cli import parser
from scripts.platform import Platform, service_spec


def test_replicas_are_read_per_service() -> None:
    args = parser().parse_args(["up", "--replicas", "appointments=2", "--replicas", "inventory=3"])
    assert dict(args.replicas) == {"appointments": 2, "inventory": 3}


@pytest.mark.parametrize("given", ["billing=2", "appointments=0", "appointments=9", "appointments", "auth=two"])
def test_a_replica_count_that_is_no_service_or_out_of_range_is_refused(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["up", "--replicas", given])
    assert exited.value.code == 2
    assert "expected SERVICE=N with N from 1 to 8" in capsys.readouterr().err


def test_replicas_get_their_own_ports_and_callers_get_them_all(tmp_path: Path) -> None:
    platform = Platform(tmp_path, replicas={"inventory": 3})
    inventory = service_spec("inventory")
    assert platform.instances(inventory) == ["inventory", "inventory-2", "inventory-3"]
    ports = platform.replica_ports(inventory)
    assert ports[0] == inventory.port
    assert len(set(ports)) == 3
    assert platform.target("inventory") == "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)
    assert platform.target("auth") == "127.0.0.1:8081"
    upstream = next(u for u in platform.gateway_settings().upstreams if u.name == "inventory")
    assert upstream.addresses == tuple(("127.0.0.1", port) for port in ports)
