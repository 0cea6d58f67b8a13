"""SPEC's update rule, on a real message with optional scalars, lists and nested messages."""

from __future__ import annotations

import pytest
from google.protobuf import field_mask_pb2
from pulseone.inventory.v1 import resources_pb2 as inventory_resources
from pulseone.profile.v1 import resources_pb2

from services.common.errors import InvalidArgument
from services.common.updates import requested_changes

WRITABLE = frozenset({"address", "blood_group", "allergies", "emergency_contacts", "medical_history"})


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def test_present_scalars_change_and_absent_ones_are_kept() -> None:
    message = resources_pb2.Patient(address="1 Galle Rd")
    assert requested_changes(message, mask(), WRITABLE) == {"address": "1 Galle Rd"}


def test_an_empty_string_sent_explicitly_clears_the_field() -> None:
    message = resources_pb2.Patient(address="")
    assert requested_changes(message, mask(), WRITABLE) == {"address": ""}


def test_lists_change_only_when_masked() -> None:
    message = resources_pb2.Patient(allergies=["penicillin"])
    assert requested_changes(message, mask(), WRITABLE) == {}
    assert requested_changes(message, mask("allergies"), WRITABLE) == {"allergies": ["penicillin"]}
    assert requested_changes(resources_pb2.Patient(), mask("allergies"), WRITABLE) == {"allergies": []}


def test_mask_paths_may_use_json_names() -> None:
    changes = requested_changes(resources_pb2.Patient(), mask("bloodGroup", "emergencyContacts"), WRITABLE)
    assert changes == {"blood_group": "", "emergency_contacts": []}


def test_masking_a_field_that_cannot_be_written_is_invalid() -> None:
    with pytest.raises(InvalidArgument) as raised:
        requested_changes(resources_pb2.Patient(), mask("id"), WRITABLE)
    assert raised.value.violations[0].field == "updateMask"


def test_a_plain_scalar_holding_a_value_is_present_without_a_mask() -> None:
    # drugName and unitType have no presence on the wire: a value other than the default is there.
    writable = frozenset({"drug_name", "unit_type", "generic_name"})
    renamed = inventory_resources.CatalogItem(drug_name="Claritin", unit_type=inventory_resources.CatalogItem.BOTTLE)
    assert requested_changes(renamed, mask(), writable) == {
        "drug_name": "Claritin", "unit_type": inventory_resources.CatalogItem.BOTTLE,
    }  # fmt: skip
    assert requested_changes(inventory_resources.CatalogItem(), mask(), writable) == {}
