"""Domain modules are pure: importing one, in a fresh interpreter, loads no transport, database or
broker library and no generated code, not even transitively (DESIGN 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("grpc", "google.rpc", "google.protobuf", "sqlalchemy", "alembic", "psycopg", "nats", "pulseone")
# The shared pieces that domain modules build on.
COMMON_PURE = [
    "services.common.errors",
    "services.common.context",
    "services.common.clock",
    "services.common.json_names",
    "services.common.care",
    "services.common.fields",
]
DOMAIN = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in ROOT.glob("services/*/domain/*.py")
    if path.name != "__init__.py"
)

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(module: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    modules: list[str] = json.loads(result.stdout)
    return modules


@pytest.mark.parametrize("module", COMMON_PURE + DOMAIN)
def test_a_domain_module_loads_nothing_impure(module: str) -> None:
    impure = [m for m in loaded_by(module) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert not impure, f"{module} loads {impure[:8]}"


def test_the_probe_sees_an_impure_module() -> None:
    assert "grpc" in loaded_by("services.common.status")
