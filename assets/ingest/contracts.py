"""Data contracts: one Open Data Contract Standard (ODCS v3) YAML file per agency dataset.

The YAML is parsed with the standard's own pydantic model (``open-data-contract-standard``),
so a contract that is not valid ODCS fails loudly at load time. This module then reads the
few things the pipeline needs into a small typed ``Contract``: columns and their rules, the
table-level rules, who may send the dataset, how its reporting period is named, and which
columns are identifiers that must never leave the linkage zone. Story-specific settings sit
in ODCS ``customProperties`` so the files stay standard.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from open_data_contract_standard.model import CustomProperty, OpenDataContractStandard

IDENTIFIER = "identifier"
PERIOD_KINDS = ("social_work_year", "school_year", "calendar_year", "financial_year", "half_year", "vintage")
_PERIOD_PATTERNS = {
    "social_work_year": r"^\d{4}$",
    "calendar_year": r"^\d{4}$",
    "school_year": r"^\d{4}-\d{2}$",
    "financial_year": r"^\d{4}-\d{2}$",
    "half_year": r"^\d{4}-H[12]$",
    "vintage": r"^\d{4}-\d{2}$",
}
_PERIOD_EXAMPLES = {
    "social_work_year": "2021 (the year 1 August 2020 to 31 July 2021)",
    "calendar_year": "2023",
    "school_year": "2020-21",
    "financial_year": "2023-24",
    "half_year": "2025-H1",
    "vintage": "2025-04 (the month of the release)",
}




@dataclass(frozen=True)
class Column:
    name: str
    logical_type: str  # string | integer | number | date
    required: bool = False
    unique: bool = False
    identifier: bool = False
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    valid_values: tuple[str, ...] | None = None
    code_list: str | None = None
    warning_rules: tuple[str, ...] = ()
    description: str | None = None
    pseudonymise: bool = False  # identifier replaced by a keyed hash in the warehouse instead of dropped
    example: str | None = None  # ODCS ``examples``: a fictional value, shown in the agencies' documentation

    @property
    def duckdb_type(self) -> str:
        return {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}[self.logical_type]


@dataclass(frozen=True)
class TableRule:
    rule: str
    arguments: dict[str, Any]
    description: str | None = None


@dataclass(frozen=True)
class AgencyRule:
    """Who may send a dataset: every council, a fixed list of bodies, or a code pattern."""

    councils: bool = False
    codes: tuple[str, ...] = ()
    pattern: str | None = None
    example: str | None = None  # a code that fits ``pattern``, for the documentation

    def accepts(self, agency: str, council_codes: frozenset[str]) -> bool:
        if self.councils:
            return agency in council_codes
        if self.pattern:
            return re.fullmatch(self.pattern, agency) is not None
        return agency in self.codes

    def describe(self) -> str:
        if self.councils:
            return "a council, by its GSS code (for example S12000049 for Glasgow City)"
        if self.pattern:
            return f"an agency whose code matches {self.pattern}"
        return "one of " + ", ".join(self.codes)


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    version: str
    owner: str
    purpose: str
    agencies: AgencyRule
    period_kind: str
    refresh_days: int
    columns: tuple[Column, ...]
    table_rules: tuple[TableRule, ...]
    path: Path
    max_file_bytes: int = 2 * 1024**3
    unique_keys: tuple[tuple[str, ...], ...] = field(default=())
    sheet: str | None = None  # customProperties ``sheet``: the sheet of a workbook return to read (else its first visible sheet)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def identifier_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.identifier]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def period_is_well_formed(self, period: str) -> bool:
        return re.fullmatch(_PERIOD_PATTERNS[self.period_kind], period) is not None

    @property
    def period_example(self) -> str:
        return _PERIOD_EXAMPLES[self.period_kind]

    @property
    def example_period(self) -> str:
        """A period written as the file name needs it, for example ``2021`` or ``2023-24``."""
        return _PERIOD_EXAMPLES[self.period_kind].split()[0]

    def period_bounds(self, period: str) -> tuple[dt.date, dt.date] | None:
        """First and last day of a reporting period, or None where a period has no dates (a vintage)."""
        kind = self.period_kind
        if kind == "social_work_year":
            end = int(period)
            return dt.date(end - 1, 8, 1), dt.date(end, 7, 31)
        if kind == "school_year":
            start = int(period[:4])
            return dt.date(start, 8, 1), dt.date(start + 1, 7, 31)
        if kind == "calendar_year":
            return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
        if kind == "financial_year":
            start = int(period[:4])
            return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)
        if kind == "half_year":
            year, half = int(period[:4]), period[-1]
            return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == "1" else (dt.date(year, 7, 1), dt.date(year, 12, 31))
        return None

    def expected_file_name(self, agency: str, period: str) -> str:
        return f"{self.id}_{agency}_{period}.csv"


def _custom(props: list[CustomProperty] | None) -> dict[str, Any]:
    return {p.property: p.value for p in props or [] if p.property}


def _column(prop: Any) -> Column:
    options = prop.logicalTypeOptions or {}
    valid_values: tuple[str, ...] | None = None
    warnings: list[str] = []
    for rule in prop.quality or []:
        if rule.metric == "invalidValues" and rule.arguments and "validValues" in rule.arguments:
            valid_values = tuple(str(v) for v in rule.arguments["validValues"])
        elif rule.type == "custom" and rule.severity == "warning" and rule.rule:
            warnings.append(rule.rule)
        else:
            raise ValueError(f"column {prop.name}: quality rule not understood: {rule}")
    return Column(
        name=prop.name,
        logical_type=prop.logicalType or "string",
        required=bool(prop.required),
        unique=bool(prop.unique),
        identifier=prop.classification == IDENTIFIER,
        pattern=options.get("pattern"),
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        valid_values=valid_values,
        code_list=_custom(prop.customProperties).get("codeList"),
        pseudonymise=bool(_custom(prop.customProperties).get("pseudonymise", False)),
        warning_rules=tuple(warnings),
        description=prop.description,
        example=str(prop.examples[0]) if prop.examples else None,
    )


def _agency_rule(value: Any) -> AgencyRule:
    if value == "councils":
        return AgencyRule(councils=True)
    if isinstance(value, dict) and "pattern" in value:
        return AgencyRule(pattern=value["pattern"], example=value.get("example"))
    return AgencyRule(codes=tuple(value))


def _read_standard(path: Path) -> OpenDataContractStandard:
    """The standard's own model of a contract file, as ``OpenDataContractStandard.from_file``
    builds it, but parsed by libyaml: the package's pure-Python parse takes a third of a second
    for our contracts, a good part of an agency's ``story check``."""
    return OpenDataContractStandard(**yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))


def load_contract(path: Path) -> Contract:
    odcs = _read_standard(path)
    if not odcs.schema_ or len(odcs.schema_) != 1:
        raise ValueError(f"{path.name}: a contract describes exactly one table")
    table = odcs.schema_[0]
    custom = _custom(odcs.customProperties)
    period_kind = custom["period"]["kind"]
    if period_kind not in PERIOD_KINDS:
        raise ValueError(f"{path.name}: period kind {period_kind!r} is not one of {PERIOD_KINDS}")
    table_rules: list[TableRule] = []
    unique_keys: list[tuple[str, ...]] = []
    for rule in table.quality or []:
        if rule.metric == "duplicateValues":
            unique_keys.append(tuple(rule.arguments["properties"]))
        else:
            table_rules.append(TableRule(rule=rule.rule, arguments=dict(rule.arguments or {}), description=rule.description))
    return Contract(
        id=odcs.id,
        name=odcs.name or odcs.id,
        version=odcs.version,
        owner=odcs.team.name if odcs.team and odcs.team.name else "unknown",
        purpose=odcs.description.purpose if odcs.description else "",
        agencies=_agency_rule(custom["agencies"]),
        period_kind=period_kind,
        refresh_days=int(custom.get("refreshDays", 400)),
        columns=tuple(_column(p) for p in table.properties or []),
        table_rules=tuple(table_rules),
        path=path,
        max_file_bytes=int(custom.get("maxFileBytes", 2 * 1024**3)),
        unique_keys=tuple(unique_keys),
        sheet=str(custom["sheet"]) if custom.get("sheet") is not None else None,
    )


def load_contracts(directory: Path) -> dict[str, Contract]:
    """Every contract in the folder (the operator's ``STORY_CONTRACTS_DIR``), by dataset id. Adding a dataset means adding a YAML file here."""
    return _load_folder(directory.resolve())


@cache
def _load_folder(folder: Path) -> dict[str, Contract]:
    contracts = [load_contract(p) for p in sorted(folder.glob("*.yaml"))]
    return {c.id: c for c in contracts}
