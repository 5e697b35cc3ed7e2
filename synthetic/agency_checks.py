"""What an agency's own system does before a return is sent: catch an implausible date of birth,
and write each code as the collection year's version of the contract lists it.

A mistyped date of birth is a real date (the generator's slips always are), but a case system
checks it against the record: a child cannot be born after their placement started, and a
school leaver is not ten. Such a slip is caught at entry and never reaches a return, so where a
mistyped date of birth breaks one of the contract's age rules (``ageBetween``), the true date is
written instead. The rule is the pipeline's own, read from the contract and run with its SQL,
so the generator's data passes the contract by construction, not by a second copy of the rule.
Likewise a code a later collection year retired is written as one of the codes the contract says
count as it (``Contract.analysis_codes``), the same one for a person every year.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from assets.model.contracts import Contract
from assets.model.table_rules import table_checks
from synthetic import periods
from synthetic.output import AgencyFile
from synthetic.population import Population

BIRTH = "date_of_birth"


def _true_births(file: AgencyFile, population: Population) -> np.ndarray:
    births = np.full(len(file.rows), "", dtype=object)
    about = file.persons >= 0
    persons = file.persons[about]
    births[about] = periods.iso(periods.from_ymd(population.dob_y[persons], population.dob_m[persons], population.dob_d[persons]))
    return births


def _slipped(file: AgencyFile, contract: Contract, true_births: np.ndarray) -> pd.DataFrame:
    """The rows whose date of birth was mistyped, with where they sit and their file's period."""
    rows = np.flatnonzero((file.persons >= 0) & (file.rows[BIRTH].to_numpy(dtype=object) != true_births))
    start, end = contract.period_bounds(file.period) or (None, None)
    return file.rows.iloc[rows].assign(_row=rows, _period_start=start, _period_end=end, _agency=file.agency, _period=file.period)


def with_plausible_dates_of_birth(files: list[AgencyFile], contracts: dict[str, Contract], population: Population) -> list[AgencyFile]:
    """``files`` with the true date of birth on each row where a mistyped one breaks an age rule of its contract."""
    fixed = list(files)
    with duckdb.connect() as con:
        for dataset in dict.fromkeys(f.dataset for f in files):
            contract = contracts[dataset]
            ages = [check.flag for _, check in table_checks(contract) if check.name == "plausible_age" and check.flag]
            numbers = [n for n, f in enumerate(files) if f.dataset == dataset]
            if not ages or BIRTH not in contract.column_names:
                continue
            births = {n: _true_births(files[n], population) for n in numbers}
            candidates = pd.concat([_slipped(files[n], contract, births[n]).assign(_file=n) for n in numbers])
            if candidates.empty:
                continue
            con.register("candidates", candidates)
            names = {c: f'"{c}"' for c in contract.column_names} | {
                "period_start": "CAST(_period_start AS DATE)", "period_end": "CAST(_period_end AS DATE)",
                "expected_agency": "_agency", "expected_period": "_period",
            }
            broken = {pair for flag in ages for pair in con.execute(
                f"SELECT _file, _row FROM candidates WHERE NOT ({flag.condition.format(**names)})"
            ).fetchall()}
            con.unregister("candidates")
            for n in sorted({n for n, _ in broken}):
                file, rows = files[n], sorted(r for m, r in broken if m == n)
                changed = file.rows.copy()
                changed.iloc[rows, changed.columns.get_loc(BIRTH)] = births[n][rows]
                fixed[n] = AgencyFile(file.agency, file.dataset, file.period, changed, file.persons)
    return fixed


def in_collection_year_codes(files: list[AgencyFile], contracts: dict[str, Contract]) -> list[AgencyFile]:
    """``files`` with each code the version in force for their period no longer lists replaced by a code it does
    list that counts as the same in the analysis tables, chosen by the person so that it stays theirs."""
    fixed = list(files)
    for n, file in enumerate(files):
        contract = contracts[file.dataset]
        if not contract.years:
            continue
        in_force = contract.in_force(file.period)
        changed = file.rows.copy()
        for column in (c for c in in_force.columns if c.valid_values and c.name in changed):
            counts_as = contract.analysis_codes(column.name)
            values = changed[column.name].to_numpy(dtype=object)
            for code in set(values) - set(column.valid_values) - {""}:
                successors = [c for c in column.valid_values if counts_as.get(c) == counts_as.get(code)]
                if successors:
                    rows = np.flatnonzero(values == code)
                    values[rows] = np.array(successors, dtype=object)[np.maximum(file.persons[rows], 0) % len(successors)]
            changed[column.name] = values
        fixed[n] = AgencyFile(file.agency, file.dataset, file.period, changed, file.persons)
    return fixed
