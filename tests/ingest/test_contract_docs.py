"""Agencies' documentation is generated from the contracts: a page and an empty CSV template per
dataset, and the page's example row is a file the pipeline accepts."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assets.ingest.contract_docs import example_agency, example_row
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from orchestration.cli import main
from tests.support.paths import CONTRACTS, SHARED

REFERENCE = SHARED / "reference"


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data):
        self.text.append(data)


def test_story_contract_docs_writes_a_page_and_template_per_dataset(story_env: Path, tmp_path: Path):
    out = tmp_path / "docs"
    assert main(["contract-docs", str(out)]) == 0
    contracts = load_contracts(CONTRACTS)
    assert {p.name for p in out.iterdir()} == {"index.html"} | {f"{d}.html" for d in contracts} | {f"{d}_template.csv" for d in contracts}
    for contract in contracts.values():
        with (out / f"{contract.id}_template.csv").open(newline="") as handle:
            assert list(csv.reader(handle)) == [contract.column_names]  # the header only
        page = _Cells()
        page.feed((out / f"{contract.id}.html").read_text())
        text = " ".join(page.text)
        for column in contract.columns:
            assert column.name in text
        for code in contract.column(contract.column_names[-1]).valid_values or ():
            assert code in text
    page = (out / "looked_after_episodes.html").read_text()
    assert "foster_purchased_by_la" in page and "An episode ends on or after the day it starts" in page
    assert "looked_after_episodes_&lt;agency&gt;_&lt;period&gt;.csv" in page


@pytest.mark.parametrize("dataset", sorted(load_contracts(CONTRACTS)))
def test_the_documented_example_row_is_accepted(dataset: str, tmp_path: Path):
    contract = load_contracts(CONTRACTS)[dataset]
    agency, row = example_agency(contract, REFERENCE), example_row(contract, REFERENCE)
    path = tmp_path / "landing" / agency / dataset / contract.expected_file_name(agency, contract.example_period)
    path.parent.mkdir(parents=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=contract.column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerow(row)
    [verdict] = judge([landed_file(path)], contract, councils(REFERENCE), REFERENCE, tmp_path / "staging.duckdb")
    assert verdict.accepted, [p.message for p in verdict.problems]
