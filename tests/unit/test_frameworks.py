"""The published frameworks: every id a measure declares is in the reference tables, the dashboard's
streams sit under their indicators, and an indicator without figures is a gap."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from assets.measures.catalogue import catalogue
from assets.measures.indicators import measure_id_of
from assets.model.contracts import load_contracts
from assets.publication.frameworks import Frameworks, framework_gaps, vision_outcomes
from tests.support.paths import CONTRACTS, REFERENCE


@pytest.fixture(scope="module")
def entries():
    return catalogue(REFERENCE, load_contracts(CONTRACTS))


@pytest.fixture(scope="module")
def frameworks() -> Frameworks:
    return Frameworks.load(REFERENCE)


def test_every_declared_framework_id_is_in_the_reference_tables(entries, frameworks):
    assert any(e.progress_framework for e in entries.values()) and any(e.core_wellbeing for e in entries.values())
    assert frameworks.undeclared(entries) == []


def test_a_mistyped_framework_id_is_refused_by_name(entries, frameworks):
    entry = dataclasses.replace(next(iter(entries.values())), progress_framework=("V1-O9-C1",))
    with pytest.raises(ValueError, match=f"{entry.id}: V1-O9-C1"):
        frameworks.checked({entry.id: entry})


def test_every_dashboard_stream_is_placed_under_a_published_indicator_of_its_vision(entries, frameworks):
    dashboard = pd.read_csv(REFERENCE / "ppf_dashboard_indicator_values.csv")
    for indicator_id in dashboard.indicator_id.unique():
        entry = entries[measure_id_of(indicator_id)]
        under = [i for o in vision_outcomes(frameworks, entries, entry.vision_id) for i in o["indicators"] if entry.id in i["measures"]]
        assert under, f"{entry.id} is under no indicator of vision {entry.vision_id}"


def test_an_indicator_is_a_gap_until_a_measure_declared_under_it_has_figures(entries, frameworks):
    entry = dataclasses.replace(next(iter(entries.values())), progress_framework=(frameworks.indicators.indicator_id.iloc[0],), core_wellbeing=(frameworks.wellbeing.indicator_id.iloc[0],))
    kinds = ("framework_indicator_without_figures", "wellbeing_indicator_without_figures")
    without = [g for g in framework_gaps(frameworks, {entry.id: entry}, []) if g[3] in kinds]
    assert len(without) == len(frameworks.indicators) + len(frameworks.wellbeing)
    with_figures = framework_gaps(frameworks, {entry.id: entry}, [entry.id])
    assert len(with_figures) == len(without) - 2
    assert not any(frameworks.indicators.indicator_id.iloc[0] in g[4] or frameworks.wellbeing.indicator_id.iloc[0] in g[4] for g in with_figures)
