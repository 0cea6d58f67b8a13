"""The container image, checked without a Docker engine: what deploy/Dockerfile installs, copies and runs."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.stack import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# What python:3.11-slim-bookworm has of the libraries the wheels link to: glibc (libc6), libgcc-s1,
# libstdc++6 (apt needs it) and zlib1g. Anything else must ship inside its wheel.
BASE_IMAGE_LIBRARIES = {
    "libc.so.6",
    "libdl.so.2",
    "libm.so.6",
    "libmvec.so.1",
    "libpthread.so.0",
    "libresolv.so.2",
    "librt.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libz.so.1",
}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    @property
    def words(self) -> list[str]:
        return shlex.split(self.arguments)


def _instructions() -> list[Instruction]:
    found = []
    for line in re.sub(r"\\\n", " ", DOCKERFILE.read_text()).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            found.append(Instruction(keyword.upper(), arguments.strip()))
    return found


def _stages() -> dict[str, list[Instruction]]:
    """Each stage's instructions by its name; the global ARGs before the first FROM under ""."""
    stages: dict[str, list[Instruction]] = {"": []}
    current = ""
    for instruction in _instructions():
        if instruction.keyword == "FROM":
            current = instruction.words[-1]
            stages[current] = []
        stages[current].append(instruction)
    return stages


def _arg(stage: str, name: str) -> str:
    for instruction in _stages()[stage]:
        if instruction.keyword == "ARG" and instruction.arguments.startswith(f"{name}="):
            return instruction.arguments.split("=", 1)[1]
    raise AssertionError(f"no ARG {name} with a default in stage {stage!r}")


def _runs(stage: str) -> list[str]:
    return [i.arguments for i in _stages()[stage] if i.keyword == "RUN"]


def _copied_from_context() -> list[str]:
    sources = []
    for instruction in _instructions():
        if instruction.keyword == "COPY":
            words = [w for w in instruction.words if not w.startswith("--")]
            if not any(w.startswith("--from=") for w in instruction.words):
                sources += words[:-1]
    return sources


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_stage_starts_from_the_base_image_pinned_by_tag_and_digest() -> None:
    base = _arg("", "PYTHON_IMAGE")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.fullmatch(rf"python:{re.escape(python)}\.\d+-slim-bookworm@sha256:[0-9a-f]{{64}}", base), base
    origins = [i.words[0] for i in _instructions() if i.keyword == "FROM"]
    assert origins == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]


def test_the_builder_installs_exactly_the_lock_file_with_the_makefiles_uv() -> None:
    assert "uv.lock" in _copied_from_context()
    syncs = [run for run in _runs("builder") if "uv sync" in run]
    assert syncs
    for run in syncs:
        assert "--frozen" in run.split()
        assert "--no-dev" in run.split()
    assert not any(re.search(r"uv (pip|lock|add)\b", run) for run in _runs("builder"))
    makefile = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert makefile is not None
    assert _arg("builder", "UV_VERSION") == makefile.group(1)
    installs = [run for run in _runs("builder") if "pip install" in run]
    assert installs == ['pip install --no-cache-dir "uv==${UV_VERSION}"']


def test_the_runtime_installs_nothing_and_takes_the_environment_from_the_builder() -> None:
    runtime = _stages()["runtime"]
    assert not any(re.search(r"\b(pip|uv|apt-get|apt)\b", run) for run in _runs("runtime"))
    copies = [i.words for i in runtime if i.keyword == "COPY"]
    assert copies == [["--from=builder", "/app", "/app"]]


def test_the_image_holds_every_package_the_pulseone_command_imports_and_the_descriptor_set() -> None:
    copied = _copied_from_context()
    packages: list[str] = _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    for package in [*packages, "gen/pulseone.pb"]:
        assert any(package == source or package.startswith(f"{source}/") for source in copied), package


def test_every_path_copied_from_the_build_context_exists() -> None:
    for source in _copied_from_context():
        assert (ROOT / source).exists(), source


def test_the_image_runs_as_a_numeric_user_that_is_not_root() -> None:
    users = [i.arguments for i in _stages()["runtime"] if i.keyword == "USER"]
    assert users
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), users[-1]


def test_the_entrypoint_is_the_pulseone_command() -> None:
    entrypoints = [json.loads(i.arguments) for i in _stages()["runtime"] if i.keyword == "ENTRYPOINT"]
    assert entrypoints == [["pulseone"]]
    assert _pyproject()["project"]["scripts"]["pulseone"] == "scripts.command:main"


def test_python_neither_writes_bytecode_nor_buffers_its_logs_at_run_time() -> None:
    environment = " ".join(i.arguments for i in _stages()["runtime"] if i.keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in environment.split()
    assert "PYTHONUNBUFFERED=1" in environment.split()


def test_the_build_context_leaves_local_state_out() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".pulseone", "node_modules"} <= ignored


def test_the_native_libraries_of_the_wheels_ship_inside_them_or_come_with_the_base_image() -> None:
    environment = Path(sys.prefix)
    binaries = [p for p in environment.rglob("*.so*") if p.is_file()]
    binaries.append(next(environment.rglob("envoy/_bin/envoy")))
    output = subprocess.run(["ldd", *map(str, binaries)], capture_output=True, text=True, check=False).stdout
    outside = {
        line.split()[0]
        for line in output.splitlines()
        if "=>" in line and not line.split("=>")[1].strip().startswith(str(environment))
    }
    assert outside <= BASE_IMAGE_LIBRARIES, sorted(outside - BASE_IMAGE_LIBRARIES)
