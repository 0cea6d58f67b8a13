"""Code generation: every proto under protos/ into gen/python and the descriptor set gen/pulseone.pb."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import google.api
import grpc_tools

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
GEN_PYTHON = ROOT / "gen" / "python"
DESCRIPTOR_SET = ROOT / "gen" / "pulseone.pb"
OPENAPI = ROOT / "gen" / "openapi.json"
DOCS_PAGE = ROOT / "gen" / "openapi.html"
THIRD_PARTY = ROOT / "third_party" / "googleapis"

# googleapis-common-protos ships the .proto sources beside its generated modules.
GOOGLEAPIS = Path(google.api.__path__[0]).parent.parent
WELL_KNOWN = Path(grpc_tools.__file__).parent / "_proto"
# Vendored for buf (which cannot reach the BSR here); copied, never edited.
VENDORED = ["google/api/annotations.proto", "google/api/http.proto", "google/api/httpbody.proto"]
# Not imported by our protos but needed in the descriptor set: without them Envoy's transcoder
# cannot render ErrorInfo/BadRequest details and REST clients get empty error bodies.
ERROR_PROTOS = ["google/rpc/status.proto", "google/rpc/error_details.proto"]


def protoc(*args: str) -> None:
    command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTOS}", f"-I{GOOGLEAPIS}", f"-I{WELL_KNOWN}", *args]
    subprocess.run(command, check=True)


def main() -> None:
    sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    shutil.rmtree(GEN_PYTHON / "pulseone", ignore_errors=True)
    GEN_PYTHON.mkdir(parents=True, exist_ok=True)
    protoc(f"--python_out={GEN_PYTHON}", f"--pyi_out={GEN_PYTHON}", f"--grpc_python_out={GEN_PYTHON}", *sources)
    protoc(
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={DESCRIPTOR_SET}",
        *sources,
        *ERROR_PROTOS,
    )
    for name in VENDORED:
        target = THIRD_PARTY / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(GOOGLEAPIS / name, target)
    # Imported here: it reads the generated modules of the protos just compiled.
    from scripts import openapi  # noqa: PLC0415

    openapi.write(DESCRIPTOR_SET, OPENAPI, DOCS_PAGE)
    print(
        f"generated {len(sources)} protos into {GEN_PYTHON.relative_to(ROOT)} and {DESCRIPTOR_SET.relative_to(ROOT)},"
        f" the REST API's {OPENAPI.relative_to(ROOT)} and {DOCS_PAGE.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
