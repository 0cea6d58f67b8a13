"""The Helm chart: it lints, renders for the default and the HA values, every manifest passes Kubernetes'
strict schemas, and what it deploys is what the code expects (settings, callers, keys)."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from scripts.platform import SERVICES
from services.appointments.settings import AppointmentsSettings
from services.auth.crypto import KeyRing
from services.auth.settings import AuthSettings
from services.common.config import DatabaseSettings, ServiceSettings
from services.common.pagination import PageTokens
from services.common.runtime import LIVE_HEALTH
from services.inventory.settings import InventorySettings
from services.prescriptions.settings import PrescriptionsSettings
from services.profile.settings import ProfileSettings
from services.video.settings import VideoSettings

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "deploy" / "helm" / "pulseone"
RELEASE, NAMESPACE = "pulseone", "clinic"
KUBERNETES_VERSION = "1.37"
HELM_WARNING = 2  # Helm's lint severities: 1 info, 2 warning, 3 error
IMAGE_UID = 10001

SETTINGS: dict[str, type[ServiceSettings]] = {
    "auth": AuthSettings,
    "profile": ProfileSettings,
    "appointments": AppointmentsSettings,
    "inventory": InventorySettings,
    "prescriptions": PrescriptionsSettings,
    "video": VideoSettings,
}


def calls_in_code() -> dict[str, set[str]]:
    """Whom each service calls: the peers whose address its settings take (its own excepted)."""
    return {
        name: {field.removesuffix("_address") for field in settings.model_fields if field.endswith("_address")} - {name}
        for name, settings in SETTINGS.items()
    }


@dataclass(frozen=True)
class Rendered:
    """The manifests a release of the chart would apply, hooks included."""

    manifests: list[dict[str, Any]]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.manifests if m["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        (found,) = [m for m in self.of_kind(kind) if m["metadata"]["name"] == name]
        return found

    def component(self, kind: str, component: str) -> list[dict[str, Any]]:
        return [m for m in self.of_kind(kind) if m["metadata"]["labels"]["app.kubernetes.io/component"] == component]

    def pod_specs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for kind in ("Deployment", "StatefulSet", "Job"):
            for manifest in self.of_kind(kind):
                yield f"{kind}/{manifest['metadata']['name']}", manifest["spec"]["template"]["spec"]

    def secret_data(self, name: str, key: str) -> bytes:
        return base64.b64decode(self.named("Secret", name)["data"][key])


def render(chart: helm_python.Chart, values: dict[str, Any]) -> Rendered:
    templates = chart.render(values, name=RELEASE, namespace=NAMESPACE)
    manifests = [
        manifest
        for path, text in sorted(templates.items())
        if path.endswith(".yaml")
        for manifest in yaml.safe_load_all(text)
        if manifest
    ]
    return Rendered(manifests)


def ha_values() -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load((CHART / "values-ha.yaml").read_text())
    return values


def name_of(component: str) -> str:
    return f"{RELEASE}-{component}"


def env_of(container: dict[str, Any]) -> dict[str, str]:
    """The container's plain variables (not those from Secrets)."""
    return {v["name"]: v["value"] for v in container.get("env", []) if "value" in v}


def service_container(rendered: Rendered, service: str) -> dict[str, Any]:
    (container,) = rendered.named("Deployment", name_of(service))["spec"]["template"]["spec"]["containers"]
    return container


@pytest.fixture(scope="module")
def chart() -> Iterator[helm_python.Chart]:
    with helm_python.Chart.load(CHART) as loaded:
        yield loaded


@pytest.fixture(scope="module")
def default(chart: helm_python.Chart) -> Rendered:
    return render(chart, {})


@pytest.fixture(scope="module")
def ha(chart: helm_python.Chart) -> Rendered:
    return render(chart, ha_values())


@pytest.fixture(params=["default", "ha"])
def profile(request: pytest.FixtureRequest) -> Rendered:
    rendered: Rendered = request.getfixturevalue(request.param)
    return rendered


def test_the_chart_lints_without_warnings() -> None:
    for values in ({}, ha_values()):
        report = helm_python.lint(CHART, values)
        assert report["errors"] == []
        assert [m for m in report["messages"] if m["severity"] >= HELM_WARNING] == []


def test_every_manifest_passes_the_strict_kubernetes_schemas(profile: Rendered) -> None:
    for manifest in profile.manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_optional_parts_pass_the_strict_kubernetes_schemas_too(chart: helm_python.Chart) -> None:
    everything = {
        "gatewayService": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["203.0.113.0/24"]},
        "ingress": {"enabled": True, "className": "nginx", "hosts": [{"host": "api.example.org", "paths": ["/"]}]},
        "metrics": {"enabled": True, "scrapeFrom": [{"namespaceSelector": {"matchLabels": {"name": "monitoring"}}}]},
        "nats": {"external": {"url": "nats://nats.example:4222"}},
        "networkPolicy": {"externalNats": {"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "port": 4222}},
        "services": {"video": {"extraEgress": [{"ports": [{"port": 3478, "protocol": "UDP"}]}]}},
        "recordings": {"existingClaim": "clinic-recordings"},
    }
    rendered = render(chart, everything)
    for manifest in rendered.manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert rendered.named("Service", name_of("gateway"))["spec"]["externalTrafficPolicy"] == "Local"
    assert rendered.of_kind("PersistentVolumeClaim") == []
    (rule,) = rendered.named("Ingress", name_of("gateway"))["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": name_of("gateway"), "port": {"name": "http"}}


def test_the_chart_runs_the_platforms_services_at_their_ports(default: Rendered) -> None:
    for spec in SERVICES:
        service = default.named("Service", name_of(spec.name))
        assert service["spec"]["clusterIP"] == "None"  # every replica visible to Envoy and gRPC clients
        assert [p["port"] for p in service["spec"]["ports"]] == [spec.port]
        container = service_container(default, spec.name)
        assert container["args"] == ["serve", spec.name]
        assert container["ports"][0]["containerPort"] == spec.port
    deployments = {d["metadata"]["name"] for d in default.of_kind("Deployment")}
    assert deployments == {name_of(s.name) for s in SERVICES} | {name_of("gateway")}


def test_every_service_has_native_grpc_readiness_and_liveness_probes(profile: Rendered) -> None:
    for spec in SERVICES:
        container = service_container(profile, spec.name)
        assert container["readinessProbe"]["grpc"] == {"port": spec.port}
        assert container["livenessProbe"]["grpc"] == {"port": spec.port, "service": LIVE_HEALTH}


def test_every_container_has_resources_and_a_locked_down_security_context(profile: Rendered) -> None:
    for workload, pod in profile.pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, workload
        assert pod["automountServiceAccountToken"] is False, workload
        assert pod["enableServiceLinks"] is False, workload
        for container in pod["containers"]:
            assert container["resources"]["requests"], workload
            assert container["resources"]["limits"]["memory"], workload
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            }, workload
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], workload


def test_the_images_pods_run_as_its_numeric_user(profile: Rendered) -> None:
    for workload, pod in profile.pod_specs():
        if pod["containers"][0]["image"].startswith("pulseone:"):
            assert pod["securityContext"]["runAsUser"] == IMAGE_UID, workload


def test_every_long_running_workload_spreads_its_own_pods(profile: Rendered) -> None:
    for workload in [*profile.of_kind("Deployment"), *profile.of_kind("StatefulSet")]:
        template = workload["spec"]["template"]
        for constraint in template["spec"]["topologySpreadConstraints"]:
            assert constraint["labelSelector"]["matchLabels"] == workload["spec"]["selector"]["matchLabels"]


def allowed_from(policy: dict[str, Any]) -> set[str]:
    """The components the policy's first ingress rule admits."""
    (peer,) = policy["spec"]["ingress"][0]["from"]
    (expression,) = peer["podSelector"]["matchExpressions"]
    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == RELEASE
    return set(expression["values"])


def egress_components(policy: dict[str, Any]) -> set[str]:
    return {
        component
        for rule in policy["spec"]["egress"]
        for peer in rule.get("to", [])
        for expression in peer.get("podSelector", {}).get("matchExpressions", [])
        for component in expression["values"]
    }


def test_each_service_admits_only_the_gateway_and_its_callers_in_code(profile: Rendered) -> None:
    calls = calls_in_code()
    for spec in SERVICES:
        policy = profile.named("NetworkPolicy", name_of(spec.name))
        callers = {caller for caller, callees in calls.items() if spec.name in callees}
        assert allowed_from(policy) == {"gateway", *callers}, spec.name
        assert policy["spec"]["ingress"][0]["ports"] == [{"port": spec.port, "protocol": "TCP"}]
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_each_service_reaches_only_its_callees_its_database_and_nats(default: Rendered) -> None:
    for name, callees in calls_in_code().items():
        policy = default.named("NetworkPolicy", name_of(name))
        assert egress_components(policy) == {*callees, "postgresql", "nats"}, name


def test_the_callers_in_code_are_the_ones_expected() -> None:
    assert calls_in_code() == {
        "auth": {"profile", "appointments", "prescriptions", "video"},
        "profile": {"auth"},
        "appointments": {"auth", "profile"},
        "inventory": {"auth", "profile"},
        "prescriptions": {"auth", "appointments", "inventory"},
        "video": {"auth", "appointments", "profile"},
    }


def test_a_default_deny_policy_covers_every_pod_of_the_release(profile: Rendered) -> None:
    deny = profile.named("NetworkPolicy", name_of("default-deny"))
    assert deny["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "pulseone",
        "app.kubernetes.io/instance": RELEASE,
    }
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]
    for workload in [*profile.of_kind("Deployment"), *profile.of_kind("StatefulSet"), *profile.of_kind("Job")]:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert deny["spec"]["podSelector"]["matchLabels"].items() <= labels.items(), workload["metadata"]["name"]


def test_the_gateways_upstreams_are_exactly_the_charts_services(profile: Rendered) -> None:
    (container,) = profile.named("Deployment", name_of("gateway"))["spec"]["template"]["spec"]["containers"]
    upstreams = {
        name.removeprefix("PULSEONE_").removesuffix("_ADDRESS").lower(): value
        for name, value in env_of(container).items()
        if name.endswith("_ADDRESS")
    }
    services = {
        component: f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
        for service in profile.of_kind("Service")
        if (component := service["metadata"]["labels"]["app.kubernetes.io/component"]) in SETTINGS
    }
    assert upstreams == services
    assert set(services) == {s.name for s in SERVICES}
    assert container["args"] == ["gateway"]


def test_the_gateway_service_never_exposes_envoys_admin(profile: Rendered) -> None:
    gateway = profile.named("Service", name_of("gateway"))
    assert [p["port"] for p in gateway["spec"]["ports"]] == [8000]
    (container,) = profile.named("Deployment", name_of("gateway"))["spec"]["template"]["spec"]["containers"]
    assert [p["containerPort"] for p in container["ports"]] == [8000]
    assert env_of(container)["PULSEONE_GATEWAY_ADMIN_PORT"] == "9901"


def test_each_services_variables_are_its_settings_and_load(default: Rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {s["metadata"]["name"]: s for s in default.of_kind("Secret")}
    for name, settings_class in SETTINGS.items():
        container = service_container(default, name)
        variables = env_of(container)
        for variable in container["env"]:
            if "valueFrom" in variable:
                reference = variable["valueFrom"]["secretKeyRef"]
                data = secrets[reference["name"]]["data"][reference["key"]]
                variables[variable["name"]] = base64.b64decode(data).decode()
        known = {f"PULSEONE_{field.upper()}" for field in settings_class.model_fields}
        assert set(variables) - known == set(), name  # every variable the chart sets is a setting
        settings = load(settings_class, variables, monkeypatch)
        assert settings.stream_replicas == 3  # the streams live on the chart's three NATS servers
        assert settings.host == "0.0.0.0"
        assert settings.port == container["ports"][0]["containerPort"]
        assert settings.database_url.startswith(f"postgresql+psycopg://{name}db_runtime:")
        assert settings.database_url.endswith(f"/{name}db")
        assert settings.migration_database_url is None  # the owner's URL goes to the migration Job only
        for callee in calls_in_code()[name]:
            port = SETTINGS[callee].model_fields["port"].default
            assert getattr(settings, f"{callee}_address") == f"{name_of(callee)}:{port}"


def load(settings_class: type[BaseSettings], variables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        for variable in [v for v in os.environ if v.startswith("PULSEONE_")]:
            patch.delenv(variable)
        for variable, value in variables.items():
            patch.setenv(variable, value)
        return settings_class()


def test_the_generated_keys_are_ones_the_services_load(default: Rendered, tmp_path: Path) -> None:
    keys = name_of("keys")
    ring_file = tmp_path / "auth-key-ring.json"
    ring_file.write_bytes(default.secret_data(keys, "auth-key-ring.json"))
    ring = KeyRing(ring_file)
    assert [k["kid"] for k in ring.jwks()["keys"]] == [ring.current().kid]
    assert len(ring.refresh_pepper) == 32
    page_token_file = tmp_path / "page-token.key"
    page_token_file.write_bytes(default.secret_data(keys, "page-token.key"))
    PageTokens.from_file(page_token_file)
    assert len(default.secret_data(keys, "gateway-secret")) >= 32
    assert default.named("Secret", keys)["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_only_auth_mounts_the_signing_keys(default: Rendered) -> None:
    for spec in SERVICES:
        pod = default.named("Deployment", name_of(spec.name))["spec"]["template"]["spec"]
        (keys,) = [v for v in pod["volumes"] if v["name"] == "keys"]
        files = {item["path"] for item in keys["secret"]["items"]}
        expected = {"page-token.key", "auth-key-ring.json"} if spec.name == "auth" else {"page-token.key"}
        assert files == expected, spec.name


def test_an_existing_keys_secret_is_used_and_none_is_made(chart: helm_python.Chart) -> None:
    rendered = render(chart, {"keys": {"existingSecret": "clinic-keys"}})
    assert name_of("keys") not in {s["metadata"]["name"] for s in rendered.of_kind("Secret")}
    for spec in SERVICES:
        volumes = rendered.named("Deployment", name_of(spec.name))["spec"]["template"]["spec"]["volumes"]
        (keys,) = [v for v in volumes if v["name"] == "keys"]
        assert keys["secret"]["secretName"] == "clinic-keys"


def test_the_ha_profile_runs_two_or_more_of_everything_under_budgets(ha: Rendered) -> None:
    workloads = {name_of(s.name) for s in SERVICES} | {name_of("gateway")}
    autoscalers = {h["metadata"]["name"]: h["spec"] for h in ha.of_kind("HorizontalPodAutoscaler")}
    assert set(autoscalers) == workloads
    assert all(spec["minReplicas"] >= 2 for spec in autoscalers.values())
    budgets = {b["metadata"]["name"]: b["spec"] for b in ha.of_kind("PodDisruptionBudget")}
    assert {name: budgets[name]["minAvailable"] for name in workloads} == dict.fromkeys(workloads, 1)
    assert budgets[name_of("nats")] == {"maxUnavailable": 1, "selector": budgets[name_of("nats")]["selector"]}
    assert ha.named("StatefulSet", name_of("nats"))["spec"]["replicas"] == 3
    assert ha.of_kind("StatefulSet") == ha.component("StatefulSet", "nats")  # no single trial database


def test_the_default_profile_has_no_autoscalers_and_budgets_only_for_nats(default: Rendered) -> None:
    assert default.of_kind("HorizontalPodAutoscaler") == []
    assert [b["metadata"]["name"] for b in default.of_kind("PodDisruptionBudget")] == [name_of("nats")]


def nats_config(rendered: Rendered) -> str:
    config: str = rendered.named("ConfigMap", name_of("nats"))["data"]["nats.conf"]
    return config


def test_nats_is_a_three_server_jetstream_cluster_syncing_every_write(profile: Rendered) -> None:
    nats = profile.named("StatefulSet", name_of("nats"))
    assert nats["spec"]["replicas"] == 3
    assert nats["spec"]["podManagementPolicy"] == "Parallel"
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    (container,) = nats["spec"]["template"]["spec"]["containers"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in container["volumeMounts"]
    assert re.match(r"nats:\d+\.\d+\.\d+", container["image"])
    config = nats_config(profile)
    assert re.search(r"jetstream \{[^}]*store_dir: /data[^}]*sync_interval: always", config)
    cluster = profile.named("Service", nats["spec"]["serviceName"])
    assert cluster["spec"]["clusterIP"] == "None"
    assert cluster["spec"]["publishNotReadyAddresses"] is True
    routes = re.findall(r"nats://(\S+):6222", config)
    assert routes == [f"{name_of('nats')}-{i}.{cluster['metadata']['name']}" for i in range(3)]
    for spec in SERVICES:
        variables = env_of(service_container(profile, spec.name))
        assert variables["PULSEONE_NATS_URL"] == f"nats://{name_of('nats')}:4222"
        assert variables["PULSEONE_STREAM_REPLICAS"] == "3"


def test_an_external_nats_replaces_the_cluster(chart: helm_python.Chart) -> None:
    url = "nats://nats-a.example:4222,nats://nats-b.example:4222"
    rendered = render(chart, {"nats": {"external": {"url": url}}})
    assert rendered.of_kind("StatefulSet") == rendered.component("StatefulSet", "postgresql")
    assert rendered.component("NetworkPolicy", "nats") == []
    for spec in SERVICES:
        assert env_of(service_container(rendered, spec.name))["PULSEONE_NATS_URL"] == url
        policy = rendered.named("NetworkPolicy", name_of(spec.name))
        assert {"ports": [{"port": 4222, "protocol": "TCP"}]} in policy["spec"]["egress"]


def test_a_single_nats_server_runs_without_routes(chart: helm_python.Chart) -> None:
    rendered = render(chart, {"nats": {"replicas": 1, "streamReplicas": 1}})
    assert "cluster {" not in nats_config(rendered)
    assert rendered.component("PodDisruptionBudget", "nats") == []


@pytest.mark.parametrize(("tag", "major"), [("18.6", "18"), ("19.1-bookworm", "19")])
def test_the_trial_database_keeps_its_cluster_on_its_volume_in_a_directory_per_major_version(
    chart: helm_python.Chart, tag: str, major: str
) -> None:
    """The official images from 18 on refuse a volume at /var/lib/postgresql/data; one volume at
    /var/lib/postgresql with the cluster in <major>/docker is their layout."""
    rendered = render(chart, {"postgresql": {"image": {"repository": "postgres", "tag": tag}}})
    (statefulset,) = rendered.component("StatefulSet", "postgresql")
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"postgres:{tag}"
    assert env_of(container)["PGDATA"] == f"/var/lib/postgresql/{major}/docker"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["data"] == "/var/lib/postgresql"


def test_the_trial_database_holds_one_database_per_service_with_an_owner_and_a_runtime_role(
    default: Rendered,
) -> None:
    """tests/integration/deploy/test_trial_database.py runs the script on a real PostgreSQL."""
    init = default.named("ConfigMap", name_of("postgresql"))["data"]["create-databases.sh"]
    created = re.findall(r'^create_database (\w+) "\$(\w+)" "\$(\w+)"$', init, flags=re.M)
    assert created == [
        (f"{s.name}db", f"{s.name.upper()}_OWNER_PASSWORD", f"{s.name.upper()}_RUNTIME_PASSWORD")
        for s in sorted(SERVICES, key=lambda s: s.name)
    ]
    (statefulset,) = default.component("StatefulSet", "postgresql")
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    from_secret = {v["name"]: v["valueFrom"]["secretKeyRef"] for v in container["env"] if "valueFrom" in v}
    server = name_of("postgresql")
    for spec in SERVICES:
        database = f"{spec.name}db"
        passwords = {}
        for role in ("owner", "runtime"):
            reference = from_secret[f"{spec.name.upper()}_{role.upper()}_PASSWORD"]
            assert reference == {"name": name_of("databases"), "key": f"{spec.name}-{role}-password"}
            passwords[role] = default.secret_data(name_of("databases"), reference["key"]).decode()
            assert re.fullmatch(r"[A-Za-z0-9]{32}", passwords[role])
        runtime_url = default.secret_data(name_of("databases"), spec.name).decode()
        assert runtime_url == f"postgresql://{database}_runtime:{passwords['runtime']}@{server}:5432/{database}"
        owner_url = default.secret_data(name_of("databases"), f"{spec.name}-migration").decode()
        assert owner_url == f"postgresql://{database}_owner:{passwords['owner']}@{server}:5432/{database}"
    superuser = default.secret_data(name_of("databases"), "postgresql-password").decode()
    others = [key for key in default.named("Secret", name_of("databases"))["data"] if key != "postgresql-password"]
    assert all(superuser not in default.secret_data(name_of("databases"), key).decode() for key in others)


def test_database_urls_from_values_go_to_a_secret(chart: helm_python.Chart) -> None:
    urls = {s.name: f"postgresql://u:p@db.example:5432/{s.name}" for s in SERVICES}
    migration_urls = {"auth": "postgresql://owner:p@db.example:5432/auth"}
    values = {"postgresql": {"enabled": False}, "databases": {"urls": urls, "migrationUrls": migration_urls}}
    rendered = render(chart, values)
    assert rendered.component("StatefulSet", "postgresql") == []
    assert {s.name: rendered.secret_data(name_of("databases"), s.name).decode() for s in SERVICES} == urls
    data = rendered.named("Secret", name_of("databases"))["data"]
    assert {key for key in data if key.endswith("-migration")} == {"auth-migration"}  # the others migrate as theirs
    assert rendered.secret_data(name_of("databases"), "auth-migration").decode() == migration_urls["auth"]
    for spec in SERVICES:
        policy = rendered.named("NetworkPolicy", name_of(spec.name))
        assert {"ports": [{"port": 5432, "protocol": "TCP"}]} in policy["spec"]["egress"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"postgresql": {"enabled": False}}, "chosen: none"),
        ({"databases": {"existingSecret": "urls"}}, "chosen: existingSecret, postgresql"),
        ({"postgresql": {"enabled": False}, "databases": {"urls": {"auth": "postgresql://db/a"}}}, "urls.appointments"),
        ({"databases": {"migrationUrls": {"auth": "postgresql://db/a"}}}, "databases.migrationUrls goes with"),
    ],
)
def test_the_databases_must_come_from_exactly_one_place(
    chart: helm_python.Chart, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(helm_python.HelmRenderError, match=re.escape(message)):
        render(chart, values)


def test_migrations_run_per_service_as_hooks_after_install_and_before_upgrade(profile: Rendered) -> None:
    jobs = {j["metadata"]["name"]: j for j in profile.of_kind("Job")}
    assert set(jobs) == {name_of(f"migrate-{s.name}") for s in SERVICES}
    for spec in SERVICES:
        job = jobs[name_of(f"migrate-{spec.name}")]
        assert job["metadata"]["annotations"] == {
            "helm.sh/hook": "post-install,pre-upgrade",
            "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
        }
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate", spec.name]
        references = {v["name"]: v["valueFrom"]["secretKeyRef"] for v in container["env"]}
        secret = references["PULSEONE_DATABASE_URL"]["name"]
        assert references == {
            "PULSEONE_DATABASE_URL": {"name": secret, "key": spec.name},
            # A Secret of yours without the key: the Job migrates as the service's role, as before.
            "PULSEONE_MIGRATION_DATABASE_URL": {"name": secret, "key": f"{spec.name}-migration", "optional": True},
        }
    policy = profile.named("NetworkPolicy", name_of("migrate"))
    assert "ingress" not in policy["spec"]


def test_each_migration_job_runs_as_its_databases_owner_and_grants_the_services_role(
    default: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    for spec in SERVICES:
        (container,) = default.named("Job", name_of(f"migrate-{spec.name}"))["spec"]["template"]["spec"]["containers"]
        references = {v["name"]: v["valueFrom"]["secretKeyRef"] for v in container["env"]}
        variables = {name: default.secret_data(r["name"], r["key"]).decode() for name, r in references.items()}
        settings = load(DatabaseSettings, variables, monkeypatch)
        assert settings.migration_url.startswith(f"postgresql+psycopg://{spec.name}db_owner:")
        assert settings.runtime_role == f"{spec.name}db_runtime"


def test_video_replicas_share_one_read_write_many_recordings_volume(profile: Rendered) -> None:
    claim = profile.named("PersistentVolumeClaim", name_of("recordings"))
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    pod = profile.named("Deployment", name_of("video"))["spec"]["template"]["spec"]
    assert {"name": "recordings", "persistentVolumeClaim": {"claimName": name_of("recordings")}} in pod["volumes"]
    assert env_of(pod["containers"][0])["PULSEONE_RECORDINGS_DIR"] == "/var/lib/pulseone/recordings"


def test_scrape_annotations_and_the_metrics_port_only_when_metrics_are_on(
    chart: helm_python.Chart, default: Rendered
) -> None:
    for spec in SERVICES:
        template = default.named("Deployment", name_of(spec.name))["spec"]["template"]
        assert "prometheus.io/scrape" not in template["metadata"].get("annotations", {})
    rendered = render(chart, {"metrics": {"enabled": True}})
    for spec in SERVICES:
        template = rendered.named("Deployment", name_of(spec.name))["spec"]["template"]
        assert template["metadata"]["annotations"] == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9464",
            "prometheus.io/path": "/metrics",
        }
        (container,) = template["spec"]["containers"]
        assert {"name": "metrics", "containerPort": 9464, "protocol": "TCP"} in container["ports"]
        assert {"name": "PULSEONE_METRICS_PORT", "value": "9464"} in container["env"]  # the service serves there
        policy = rendered.named("NetworkPolicy", name_of(spec.name))
        assert {"ports": [{"port": 9464, "protocol": "TCP"}]} in policy["spec"]["ingress"]
    gateway = rendered.named("Deployment", name_of("gateway"))["spec"]["template"]
    assert gateway["metadata"]["annotations"]["prometheus.io/path"] == "/stats/prometheus"
    (envoy,) = gateway["spec"]["containers"]
    assert {"name": "PULSEONE_GATEWAY_STATS_PORT", "value": "9464"} in envoy["env"]
    policy = rendered.named("NetworkPolicy", name_of("gateway"))
    assert {"ports": [{"port": 9464, "protocol": "TCP"}]} in policy["spec"]["ingress"]


COLLECTOR = "http://otel-collector.observability:4317"
COLLECTOR_PEERS = [{"namespaceSelector": {"matchLabels": {"name": "observability"}}}]


def _workload_containers(rendered: Rendered) -> dict[str, dict[str, Any]]:
    """The container of every service and of the gateway."""
    return {
        name: rendered.named("Deployment", name_of(name))["spec"]["template"]["spec"]["containers"][0]
        for name in [*(spec.name for spec in SERVICES), "gateway"]
    }


def test_without_tracing_no_pod_is_given_a_collector(default: Rendered) -> None:
    for name, container in _workload_containers(default).items():
        assert not any(v.startswith("OTEL_") for v in env_of(container)), name
        egress = default.named("NetworkPolicy", name_of(name))["spec"]["egress"]
        assert all(4317 not in [p["port"] for p in rule.get("ports", [])] for rule in egress), name


def test_tracing_sends_every_services_and_the_gateways_spans_to_the_collector_and_lets_them_reach_it(
    chart: helm_python.Chart,
) -> None:
    rendered = render(chart, {"tracing": {"otlpEndpoint": COLLECTOR, "collectorTo": COLLECTOR_PEERS}})
    for manifest in rendered.manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    for name, container in _workload_containers(rendered).items():
        assert env_of(container)["OTEL_EXPORTER_OTLP_ENDPOINT"] == COLLECTOR, name
        egress = rendered.named("NetworkPolicy", name_of(name))["spec"]["egress"]
        assert {"ports": [{"port": 4317, "protocol": "TCP"}], "to": COLLECTOR_PEERS} in egress, name


def test_notes_say_how_to_reach_the_gateway_and_create_the_first_admin(chart: helm_python.Chart) -> None:
    notes = chart.render({}, name=RELEASE, namespace=NAMESPACE)["pulseone/templates/NOTES.txt"]
    assert f"port-forward -n {NAMESPACE} service/{name_of('gateway')}" in notes
    assert f"kubectl exec -it -n {NAMESPACE} deploy/{name_of('auth')} -- sh -c 'pulseone admin create --email" in notes
    assert '--database-url "$PULSEONE_DATABASE_URL"' in notes  # the pod's own database, whatever its name
    assert "runtime role (<service>db_runtime)" in notes


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"services": {"auth": {"replicas": -1}}}, "at '/services/auth/replicas': minimum: got -1, want 1"),
        ({"services": {"billing": {"port": 9000}}}, "at '/services': additional properties 'billing' not allowed"),
        ({"image": {"repository": None}}, "at '/image': missing property 'repository'"),
        ({"image": {"repository": ""}}, "at '/image/repository': minLength: got 0, want 1"),
        ({"nats": {"replicas": 2}}, "at '/nats/replicas': value must be one of 1, 3, 5"),
        ({"defaults": {"env": {"PULSEONE_DB_POOL_SIZE": 20}}}, "at '/defaults/env/PULSEONE_DB_POOL_SIZE': got number"),
        ({"gatewayService": {"type": "External"}}, "at '/gatewayService/type': value must be one of"),
        ({"postgresql": {"image": {"repository": "postgres", "tag": "alpine"}}}, "at '/postgresql/image/tag'"),
        ({"tracing": {"otlpEndpoint": "https://collector:4317"}}, "at '/tracing/otlpEndpoint': "),
        ({"tracing": {"otlpEndpoint": "http://collector"}}, "at '/tracing/otlpEndpoint': "),
        ({"tracing": {"sampler": "always_on"}}, "at '/tracing': additional properties 'sampler' not allowed"),
        ({"databases": {"migrationUrls": {"billing": "postgresql://db/b"}}}, "at '/databases/migrationUrls': "),
        ({"databases": {"migrationUrls": {"auth": "mysql://db/a"}}}, "at '/databases/migrationUrls/auth': "),
    ],
)
def test_the_schema_rejects_bad_values_naming_the_field(
    chart: helm_python.Chart, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(helm_python.HelmValuesError) as refused:
        chart.validate_schema(values)
    assert message in str(refused.value)


def test_the_schema_accepts_both_profiles(chart: helm_python.Chart) -> None:
    chart.validate_schema({})
    chart.validate_schema(ha_values())
