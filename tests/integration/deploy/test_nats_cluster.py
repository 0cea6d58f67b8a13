"""The chart's NATS configuration run by the pinned nats-server: three servers form one JetStream
cluster that keeps the platform's streams in three copies and syncs every write to disk."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import helm_python
import httpx
import pytest
import yaml

from scripts.stack import BIN, Process, free_port, wait_until
from services.common.messaging import NatsLink

CHART = Path(__file__).resolve().parents[3] / "deploy" / "helm" / "pulseone"
RELEASE = "pulseone"
SERVERS = 3


@dataclasses.dataclass(frozen=True)
class Server:
    name: str
    client_port: int
    monitor_port: int
    cluster_port: int


def chart_nats_config() -> str:
    rendered = helm_python.Chart.load(CHART).render({}, name=RELEASE, namespace="clinic")
    for manifest in yaml.safe_load_all(rendered["pulseone/templates/nats.yaml"]):
        if manifest["kind"] == "ConfigMap":
            config: str = manifest["data"]["nats.conf"]
            return config
    raise AssertionError("the chart renders no NATS configuration")


def on_this_machine(config: str, server: Server, servers: list[Server], root: Path) -> str:
    """The chart's configuration with the pod's names, ports and paths moved to this machine:
    loopback ports instead of the pods' and each route to the server it names."""
    for index, peer in enumerate(servers):
        config = config.replace(
            f"nats://{RELEASE}-nats-{index}.{RELEASE}-nats-cluster:6222", f"nats://127.0.0.1:{peer.cluster_port}"
        )
    config = re.sub(r"^port: 4222$", f"listen: 127.0.0.1:{server.client_port}", config, flags=re.M)
    config = re.sub(r"^http_port: 8222$", f"http: 127.0.0.1:{server.monitor_port}", config, flags=re.M)
    config = re.sub(r"^(\s+)port: 6222$", rf"\1listen: 127.0.0.1:{server.cluster_port}", config, flags=re.M)
    return config.replace("store_dir: /data", f"store_dir: {root / 'data'}").replace("/tmp/nats.pid", str(root / "pid"))


def healthy(server: Server) -> bool:
    return httpx.get(f"http://127.0.0.1:{server.monitor_port}/healthz", timeout=1).status_code == 200


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[Server]]:
    config = chart_nats_config()
    servers = [Server(f"{RELEASE}-nats-{i}", free_port(), free_port(), free_port()) for i in range(SERVERS)]
    processes = []
    try:
        for server in servers:
            root = tmp_path / server.name
            root.mkdir()
            (root / "nats.conf").write_text(on_this_machine(config, server, servers, root))
            process = Process(
                server.name,
                [str(BIN / "nats-server"), "-c", str(root / "nats.conf")],
                root / "nats.log",
                env={"POD_NAME": server.name},
            )
            process.start()
            processes.append(process)
        for server in servers:
            wait_until(functools.partial(healthy, server), 60, f"{server.name}'s JetStream")
        yield servers
    finally:
        for process in processes:
            process.stop()


async def test_the_charts_servers_keep_every_stream_in_three_synced_copies(cluster: list[Server]) -> None:
    for server in cluster:
        varz = httpx.get(f"http://127.0.0.1:{server.monitor_port}/varz", timeout=2).json()
        assert varz["server_name"] == server.name
        assert varz["jetstream"]["config"]["sync_always"] is True
    # As a service does with the chart's PULSEONE_STREAM_REPLICAS: its link makes the streams.
    link = NatsLink(",".join(f"nats://127.0.0.1:{s.client_port}" for s in cluster), "cluster", stream_replicas=SERVERS)
    link.start()
    try:
        await asyncio.wait_for(link.ready.wait(), 30)
        js = link.jetstream()
        ack = await js.publish("pulseone.test.thing.happened", b"{}")
        info = await js.stream_info(ack.stream)
        assert info.cluster is not None
        assert {info.cluster.leader, *(r.name for r in info.cluster.replicas or [])} == {s.name for s in cluster}
        assert info.state.messages == 1
    finally:
        await link.close()
