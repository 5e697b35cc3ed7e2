"""Every dataset in DOMAIN.md has a valid ODCS contract, and the contract says what the pipeline needs."""

from __future__ import annotations

import re

import pytest

from assets.model.contracts import load_contracts
from tests.support.paths import CONTRACTS, SHARED


def domain_datasets() -> dict[str, list[str]]:
    """Dataset -> key columns, read from the table in DOMAIN.md."""
    datasets = {}
    for line in (SHARED / "DOMAIN.md").read_text().splitlines():
        match = re.match(r"\| `(\w+)` \| [^|]+ \| [^|]+ \| (.+) \|$", line)
        if match:
            columns = re.sub(r"\([^)]*\)", "", match.group(2).replace("`", "")).split(" plus ")[0]
            datasets[match.group(1)] = [c.strip() for c in columns.split(",") if c.strip()]
    return datasets


def test_domain_table_was_read():
    assert len(domain_datasets()) == 14


@pytest.mark.parametrize("dataset", sorted(domain_datasets()))
def test_every_domain_dataset_has_a_contract_with_its_columns(dataset: str):
    contract = load_contracts(CONTRACTS)[dataset]
    assert contract.column_names == domain_datasets()[dataset]


def test_identifiers_are_marked_for_the_linkage_zone_only():
    contracts = load_contracts(CONTRACTS)
    for contract in contracts.values():
        for column in ("forename", "surname", "date_of_birth", "postcode", "chi", "scn"):
            if column in contract.column_names:
                assert column in contract.identifier_columns, f"{contract.id}.{column} must be an identifier"


# References that name no person, record of a person or family: public registers and codes of the plan and the framework.
NOT_ABOUT_PEOPLE = {"service_id", "vision_id", "item_id", "indicator_id", "commitment_id", "milestone_id", "holding_id"}


def test_an_agencys_own_references_are_keyed_not_kept_as_sent():
    """An agency's reference for a person, a record about one or a family (``*_ref``, ``*_id``) is an
    identifier, kept in the index zone and keyed (HMAC) for the warehouse, as a council's child_ref is;
    whether the linkage may join records on it is said by ``referenceOf``."""
    for contract in load_contracts(CONTRACTS).values():
        for column in contract.columns:
            if re.search(r"_(ref|id)$", column.name) and column.name not in NOT_ABOUT_PEOPLE:
                assert column.identifier and column.pseudonymise, f"{contract.id}.{column.name} must be classified identifier and pseudonymised"


def test_period_bounds_follow_the_social_work_year():
    contract = load_contracts(CONTRACTS)["looked_after_episodes"]
    start, end = contract.period_bounds("2021")
    assert (start.isoformat(), end.isoformat()) == ("2020-08-01", "2021-07-31")
    assert contract.period_is_well_formed("2021") and not contract.period_is_well_formed("2020-21")
