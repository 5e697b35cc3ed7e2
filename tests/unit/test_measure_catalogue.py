"""The catalogue is the list in ``assets.measures.catalogue.MEASURES``: a measure declared in a
module of the package but left off the list would never be published, and an id declared twice
would be published once, so both fail here."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace

import pytest

import assets.measures
from assets.measures.catalogue import MEASURES
from assets.model.contracts import load_contracts
from assets.model.measures import Measure, catalogue_of
from tests.support.paths import CONTRACTS, REFERENCE


def test_every_measure_a_module_declares_is_in_the_list():
    declared = []
    for module in pkgutil.iter_modules(assets.measures.__path__):
        for value in vars(importlib.import_module(f"assets.measures.{module.name}")).values():
            declared += [value] if isinstance(value, Measure) else [v for v in value if isinstance(v, Measure)] if isinstance(value, list) else []
    assert len(declared) > 20  # the scan finds the declarations
    listed = {id(entry) for entry in MEASURES}
    assert [entry.id for entry in declared if id(entry) not in listed] == []


def test_a_measure_declared_twice_is_refused():
    contracts = load_contracts(CONTRACTS)
    first = next(entry for entry in MEASURES if isinstance(entry, Measure))
    with pytest.raises(ValueError, match=f"measure {first.id} declared twice"):
        catalogue_of([*MEASURES, replace(first, title="another")], REFERENCE, contracts)
