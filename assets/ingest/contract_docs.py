"""Documentation for agencies, generated from the data contracts, so it can never drift from them.

For each dataset: an HTML page (who sends it, how to name the file, each column with its
type, whether it is required, its allowed codes or format, the table rules, an example row,
and, where the collection changed from year to year, each year's version and what changed) and an empty CSV template with the header row; plus an index page. The example row is
built from the contract itself (codes, ranges, the example period, ODCS ``examples`` for
formatted values), and the tests check that a file holding it is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from assets.ingest.split_names import PARTS, REFERENCE, half_name
from assets.ingest.split_parts import part_columns, unchecked
from assets.model.contracts import Column, Contract
from assets.model.reference import code_list, councils
from assets.model.table_rules import table_checks

_CODES_LISTED = 40
_TYPE_WORDS = {"string": "text", "integer": "whole number", "number": "number", "date": "date (YYYY-MM-DD)"}


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str
    required: bool
    allowed: str
    description: str
    identifier: bool
    example: str


def example_agency(contract: Contract, reference_dir: Path) -> str:
    rule = contract.agencies
    if rule.councils:
        return sorted(councils(reference_dir).codes)[0]
    if rule.pattern:
        if rule.example is None:
            raise ValueError(f"{contract.id}: an agency pattern needs an example code in the contract")
        return rule.example
    return rule.codes[0]


def _allowed_values(column: Column, reference_dir: Path) -> tuple[str, ...] | None:
    return column.valid_values or (code_list(column.code_list, reference_dir) if column.code_list else None)


def example_row(contract: Contract, reference_dir: Path) -> dict[str, str]:
    """A fictional row that meets every rule of the contract, for the agency and period of the example file."""
    agency, period = example_agency(contract, reference_dir), contract.example_period
    start = (contract.period_bounds(period) or (dt.date.fromisoformat(f"{period}-01"),))[0]
    follows = {r.arguments["column"]: value for r in contract.table_rules
               for rule, value in (("agencyMatchesFolder", agency), ("periodMatchesFile", period)) if r.rule == rule}
    row = {}
    for column in contract.columns:
        allowed = _allowed_values(column, reference_dir)
        if column.name in follows:
            value = follows[column.name]
        elif column.example is not None:
            value = column.example
        elif allowed:
            value = agency if agency in allowed else allowed[0]
        elif column.logical_type == "date":
            value = start.isoformat()
        elif column.logical_type in ("integer", "number"):
            value = f"{column.minimum:g}" if column.minimum is not None else "1"
        elif column.pattern:
            raise ValueError(f"{contract.id}.{column.name}: a formatted column needs an example in the contract")
        else:
            value = f"{column.name.replace('_', ' ')} text"
        row[column.name] = value
    # A date of birth that gives the youngest plausible age on the date an age rule reads.
    for rule in (r for r in contract.table_rules if r.rule == "ageBetween"):
        at = rule.arguments["at"]
        on = dt.date.fromisoformat(row[at]) if at in row else contract.period_bounds(period)[at == "periodEnd"]
        row[rule.arguments["birth"]] = on.replace(year=on.year - int(rule.arguments["minimum"])).isoformat()
    return row


def csv_template(contract: Contract) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(contract.column_names)
    return out.getvalue()


def _column_docs(contract: Contract, reference_dir: Path, example: dict[str, str]) -> list[ColumnDoc]:
    docs = []
    for column in contract.columns:
        allowed = _allowed_values(column, reference_dir)
        if column.code_list == "local_authorities":
            rule = f"a council's GSS code (any of the {len(councils(reference_dir).codes)} councils; a former code is accepted and mapped)"
        elif allowed:
            shown = ", ".join(allowed[:_CODES_LISTED]) + (f" and {len(allowed) - _CODES_LISTED} more" if len(allowed) > _CODES_LISTED else "")
            rule = f"one of: {shown}"
        elif column.pattern:
            rule = f"format {column.pattern}"
        elif column.minimum is not None and column.maximum is not None:
            rule = f"from {column.minimum:g} to {column.maximum:g}"
        elif column.minimum is not None:
            rule = f"{column.minimum:g} or more"
        elif column.maximum is not None:
            rule = f"{column.maximum:g} or less"
        else:
            rule = ""
        docs.append(ColumnDoc(
            name=column.name, type=_TYPE_WORDS[column.logical_type], required=column.required, allowed=rule,
            description=" ".join(t for t in (column.description, column.code_source and f"Codes: {column.code_source}") if t),
            identifier=column.identifier, example=example[column.name],
        ))
    return docs


def rule_statements(contract: Contract) -> list[str]:
    """The table rules as statements of what a good file does (the refusal words say what a bad one did)."""
    statements = [check.statement for _, check in table_checks(contract)]
    statements += [f"Each combination of {', '.join(key)} appears on one row only." for key in contract.unique_keys]
    statements += [f"'{c.name}' is different on every row." for c in contract.columns if c.unique]
    return statements


def _size(limit: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit:,} bytes"


@dataclass(frozen=True)
class YearDoc:
    """One collection year's version: which years it judges and what changed from the version before."""

    version: str
    in_force: str
    summary: str
    source: str
    changes: tuple[str, ...]


def year_docs(contract: Contract) -> list[YearDoc]:
    """Each version of a contract with several collection years, the contract as written first."""
    if not contract.years:
        return []
    first = contract.in_force(None)
    docs = [YearDoc(first.version, first.years_in_force(), "The contract as first written.", "", ())]
    for year in contract.years:
        version = contract.in_force(year.starts)
        changes = []
        for change in year.changes:
            if change.retired:
                changes.append(f"'{change.column}': retired {', '.join(change.retired)} (refused in a file of these years).")
            if change.added:
                counted = "; ".join(code if code == counts_as else f"{code} (counted as {counts_as})" for code, counts_as in change.added)
                changes.append(f"'{change.column}': added {counted}.")
        docs.append(YearDoc(version.version, version.years_in_force(), year.summary, year.source, tuple(changes)))
    return docs


def render_contract_page(contract: Contract, reference_dir: Path) -> str:
    """The page for the version in force for the latest collection year, with every earlier year's differences."""
    years = year_docs(contract)
    contract = contract.latest
    example = example_row(contract, reference_dir)
    agency = example_agency(contract, reference_dir)
    return _templates().get_template("contract.html.j2").render(
        contract=contract,
        senders=contract.agencies.describe(),
        file_name=contract.expected_file_name(agency, contract.example_period),
        pattern_name=contract.expected_file_name("<agency>", "<period>"),
        size_limit=_size(contract.max_file_bytes),
        columns=_column_docs(contract, reference_dir, example),
        rules=rule_statements(contract),
        years=years,
        header=csv_template(contract).strip(),
        example_line=_csv_line(list(example.values())),
        split=_split_form(contract, agency),
        layered=_layered_form(contract, agency),
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _split_form(contract: Contract, agency: str) -> dict | None:
    """How to send the return split at source (``split_parts``), for a dataset with identifiers."""
    if not contract.identifier_columns:
        return None
    return {
        part: {"name": half_name(contract.id, agency, contract.example_period, part), "columns": [REFERENCE, *(c.name for c in part_columns(contract, part))]}
        for part in PARTS
    } | {"unchecked": unchecked(contract)}


def _layered_form(contract: Contract, agency: str) -> list[dict]:
    """The files of the return sent layered, as a national collection is (``layered_returns``): each file's name,
    columns (those not required marked), keys and rules against the other files."""
    return [
        {
            "part": part.name, "description": part.description,
            "name": f"{contract.id}_{agency}_{contract.example_period}_{part.name}.csv",
            "columns": [(c.name, c.required, c.description if own else "") for c, (_, own, _) in zip(part.columns(contract), part.properties, strict=True)],
            "unique": [", ".join(key) for key in part.unique_keys],
            "rules": [rule.description for rule in part.cross_rules],
        }
        for part in contract.layered
    ]


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def write_contract_docs(contracts: dict[str, Contract], reference_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``<dataset>.html`` and ``<dataset>_template.csv`` per contract and ``index.html``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for step, contract in enumerate(contracts.values(), start=1):
        page = out_dir / f"{contract.id}.html"
        page.write_text(render_contract_page(contract, reference_dir), encoding="utf-8")
        template = out_dir / f"{contract.id}_template.csv"
        template.write_text(csv_template(contract), encoding="utf-8")
        written += [page, template]
        print(f"[{step}/{len(contracts)}] {contract.id}: {page.name}, {template.name}")
    index = out_dir / "index.html"
    index.write_text(_templates().get_template("contracts_index.html.j2").render(contracts=list(contracts.values())), encoding="utf-8")
    return [*written, index]
