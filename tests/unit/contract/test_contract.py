"""The contract itself: every method declares who may call it, and no two REST bindings compete."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from gateway.contract import Method, load_methods

DESCRIPTOR_SET = Path(__file__).resolve().parents[3] / "gen" / "pulseone.pb"
METHODS = load_methods(DESCRIPTOR_SET)


def test_the_descriptor_set_holds_the_services() -> None:
    assert "pulseone.auth.v1.AuthService" in {m.service for m in METHODS}


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.grpc_path)
def test_every_method_declares_an_access_rule(method: Method) -> None:
    assert method.rule is not None, f"{method.grpc_path} has no (pulseone.authz.v1.rule) option"


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.grpc_path)
def test_a_public_method_names_no_roles(method: Method) -> None:
    assert method.rule is not None
    assert not (method.rule.public and (method.rule.roles or method.rule.allow_pending))


def test_no_two_rest_bindings_share_a_verb_and_path_shape() -> None:
    shapes = [(b.shape(), m.grpc_path) for m in METHODS for b in m.bindings]
    seen: dict[tuple[str, str], str] = {}
    for shape, path in shapes:
        assert shape not in seen, f"{path} and {seen[shape]} both bind {shape}"
        seen[shape] = path


def _segments(template: str) -> list[str]:
    return template.strip("/").split("/")


def test_literal_segments_never_compete_with_a_variable_that_is_not_a_uuid() -> None:
    bindings = [b for m in METHODS for b in m.bindings]
    for first, second in itertools.permutations(bindings, 2):
        a, b = _segments(first.template), _segments(second.template)
        if first.verb != second.verb or len(a) != len(b):
            continue
        clashes = [(x, y) for x, y in zip(a, b, strict=True) if not x.startswith("{") and y.startswith("{") and x != y]
        others_match = all(x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True))
        if clashes and others_match:
            # Only a UUID variable may share a position with a literal, since a literal is never a UUID.
            for _, variable in clashes:
                name = variable.strip("{}")
                assert name.endswith("_id") or name == "id", f"{first.template} competes with {second.template}"
