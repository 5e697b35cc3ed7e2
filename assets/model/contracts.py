"""Data contracts: one Open Data Contract Standard (ODCS v3) YAML file per agency dataset.

The YAML is parsed with the standard's own pydantic model (``open-data-contract-standard``),
so a contract that is not valid ODCS fails loudly at load time. This module then reads the
few things the pipeline needs into a small typed ``Contract``: columns and their rules, the
table-level rules, who may send the dataset, how its reporting period is named, and which
columns are identifiers that must never leave the linkage zone. Story-specific settings sit
in ODCS ``customProperties`` so the files stay standard.

A collection changes from year to year. A contract as written is its first collection year's
version; ``collectionYears`` lists what changed from a later year on (a base plus yearly
changes, as English councils' tools keep a base schema and a diff per year), and
``Contract.in_force`` gives the version a file's period is judged by. ``analysis_codes`` maps
every year's codes onto the one set the analysis tables use, as the contract declares.

A dataset may also be sent layered, as a national collection is structured (``layered_returns``):
the contract's further schema objects, each marked ``returnPart``, are the files of one return.
A part's property with no type of its own is the dataset's column of that name; the part's
``duplicateValues`` are its keys and its ``sql`` rules check it against the other parts. They stay
in the dataset's one YAML because they are another form of the same dataset, loaded into its tables.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
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

# The span each kind of period covers, in words: a measure says which it counts in (``Measure.counted_in``).
YEAR_SPANS = {
    "social_work_year": "the social work year, 1 August to 31 July, named by the year it ends in (2021 is 1 August 2020 to 31 July 2021)",
    "school_year": "the school year, 1 August to 31 July (2020-21)",
    "calendar_year": "the calendar year, 1 January to 31 December",
    "financial_year": "the year 1 April to 31 March (2023-24 is 1 April 2023 to 31 March 2024)",
    "half_year": "half years, January to June and July to December",
    "vintage": "the month of each release",
}


REFERENCE_KINDS = ("person", "record", "group")


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
    # customProperties ``referenceOf``: what an agency's own reference names: ``person`` (the linkage
    # joins records that share it, as a council's child_ref), or a ``record`` or ``group`` (never joins two persons)
    reference_of: str = "person"
    # customProperties ``issuedBy``: the column naming the agency whose reference this is, when not the sender's
    # (the Care Inspectorate's incidents carry the placing council's child_ref, with that council in la_code)
    issued_by: str | None = None
    example: str | None = None  # ODCS ``examples``: a fictional value, shown in the agencies' documentation
    code_source: str | None = None  # customProperties ``codeSource``: where the column's codes come from (a national collection's, or ours)

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
class CodeChange:
    """One column's codes from a collection year on: codes added (each with the code of the analysis
    set it counts as, itself for a new category) and codes retired."""

    column: str
    added: tuple[tuple[str, str], ...]  # (code, the analysis code it counts as)
    retired: tuple[str, ...]

    @property
    def codes_added(self) -> dict[str, str]:
        return dict(self.added)


@dataclass(frozen=True)
class CollectionYear:
    """What changed in a dataset's collection from one collection year on, and where the change comes from."""

    starts: str  # the first period judged by this version, written as file names write it
    version: str
    summary: str
    source: str
    changes: tuple[CodeChange, ...]


@dataclass(frozen=True)
class CrossPartRule:
    """A rule between the files of a layered return: ``query`` selects the ``_row_number`` of each of its part's rows that breaks it."""

    query: str
    description: str


@dataclass(frozen=True)
class ReturnPart:
    """One file of a layered return: its columns in order, each the part's own or the dataset's column of
    that name (with the part's own ``required`` where it says one), its keys and its rules against the other parts."""

    name: str
    properties: tuple[tuple[str, Column | None, bool | None], ...]  # (name, the part's own column or None, required here or None)
    unique_keys: tuple[tuple[str, ...], ...]
    cross_rules: tuple[CrossPartRule, ...]
    description: str = ""

    def columns(self, version: "Contract") -> tuple[Column, ...]:
        """The part's columns, those it carries as the dataset's version in force defines them (with that year's codes)."""
        def column(name: str, own: Column | None, required: bool | None) -> Column:
            if own is not None:
                return own
            theirs = version.column(name)
            return theirs if required is None else replace(theirs, required=required)
        return tuple(column(*p) for p in self.properties)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.properties)


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
    years: tuple[CollectionYear, ...] = ()  # customProperties ``collectionYears``, earliest first
    starts: str | None = None  # the first period of this version; None for the contract as written (its first year)
    as_written: "Contract | None" = field(default=None, compare=False, repr=False)  # a later year's version: the contract it came from
    layered: tuple[ReturnPart, ...] = ()  # the files of a layered return, when the dataset may be sent so (``layered_returns``)

    def in_force(self, period: str | None) -> "Contract":
        """The version that judges a file of ``period``: the contract with every change up to that year applied
        (the contract as written for a period before the first change, or one not well formed)."""
        version = self.as_written or self
        for year in self.years:
            if period is None or not self.period_is_well_formed(period) or period < year.starts:
                break
            version = version._changed(year)
        return version

    def _changed(self, year: CollectionYear) -> "Contract":
        changes = {c.column: c for c in year.changes}

        def column(c: Column) -> Column:
            if c.name not in changes:
                return c
            kept = tuple(v for v in c.valid_values if v not in changes[c.name].retired)
            return replace(c, valid_values=kept + tuple(v for v in changes[c.name].codes_added if v not in kept))
        return replace(self, version=year.version, starts=year.starts, columns=tuple(column(c) for c in self.columns), as_written=self.as_written or self)

    @property
    def versions(self) -> list["Contract"]:
        """Every version, the contract as written first."""
        return [self.in_force(None), *(self.in_force(y.starts) for y in self.years)]

    @property
    def latest(self) -> "Contract":
        return self.versions[-1]

    def years_in_force(self) -> str:
        """The collection years this version judges, in words (empty when the contract has one version):
        ``collection years from 2023 (starting 1 August 2022)``, ``collection years before 2023 (ending by 31 July 2022)``."""
        if not self.years:
            return ""
        later = [y.starts for y in self.years if self.starts is None or y.starts > self.starts]
        spans = []
        if self.starts:
            bounds = self.period_bounds(self.starts)
            spans.append(f"from {self.starts}" + (f" (starting {bounds[0]:%-d %B %Y})" if bounds else ""))
        if later:
            bounds = self.period_bounds(later[0])
            spans.append(f"before {later[0]}" + (f" (ending by {bounds[0] - dt.timedelta(days=1):%-d %B %Y})" if bounds else ""))
        return "collection years " + (" and ".join(spans) or "all")

    def analysis_codes(self, column: str) -> dict[str, str]:
        """Every code any year's version allows in ``column``, to the code of the one set the analysis tables use
        (declared in the contract: a code added in a later year says which it counts as)."""
        mapping = {v: v for v in self.in_force(None).column(column).valid_values or ()}
        for year in self.years:
            for change in year.changes:
                if change.column == column:
                    mapping |= {code: mapping.get(counts_as, counts_as) for code, counts_as in change.added}
        return mapping

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
        reference_of=_reference_of(prop),
        issued_by=_custom(prop.customProperties).get("issuedBy"),
        warning_rules=tuple(warnings),
        description=prop.description,
        example=str(prop.examples[0]) if prop.examples else None,
        code_source=_custom(prop.customProperties).get("codeSource"),
    )


def _reference_of(prop: Any) -> str:
    value = str(_custom(prop.customProperties).get("referenceOf", "person"))
    if value not in REFERENCE_KINDS:
        raise ValueError(f"column {prop.name}: referenceOf must be one of {', '.join(REFERENCE_KINDS)}, not {value!r}")
    return value


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


def _collection_years(value: Any, columns: tuple[Column, ...], where: str) -> tuple[CollectionYear, ...]:
    years = tuple(
        CollectionYear(
            starts=str(y["from"]), version=str(y["version"]), summary=y["summary"], source=y["source"],
            changes=tuple(CodeChange(column, tuple((str(k), str(v)) for k, v in (c.get("added") or {}).items()), tuple(c.get("retired") or ())) for column, c in y["codes"].items()),
        )
        for y in value or ()
    )
    codes = {c.name: set(c.valid_values or ()) for c in columns}
    analysis = {name: set(values) for name, values in codes.items()}
    for previous, year in zip((None, *years), years):
        if previous is not None and year.starts <= previous.starts:
            raise ValueError(f"{where}: collection years must be listed earliest first ({year.starts} after {previous.starts})")
        for change in year.changes:
            if not codes.get(change.column):
                raise ValueError(f"{where} {year.starts}: {change.column!r} is not a column with a code list")
            if gone := set(change.retired) - codes[change.column]:
                raise ValueError(f"{where} {year.starts}: {change.column} retires codes it does not have: {sorted(gone)}")
            if unknown := {a for code, a in change.added if a != code} - analysis[change.column]:
                raise ValueError(f"{where} {year.starts}: {change.column} maps new codes onto codes of no year: {sorted(unknown)}")
            codes[change.column] = (codes[change.column] - set(change.retired)) | set(change.codes_added)
            analysis[change.column] |= {code for code, a in change.added if a == code}
    return years


def _return_part(table: Any, dataset_columns: set[str], where: str) -> ReturnPart:
    properties = []
    for prop in table.properties or []:
        if prop.logicalType is None and prop.name not in dataset_columns:
            raise ValueError(f"{where} {table.name}: {prop.name!r} has no type and is not a column of the dataset")
        properties.append((prop.name, _column(prop) if prop.logicalType else None, prop.required))
    keys, rules = [], []
    for rule in table.quality or []:
        if rule.metric == "duplicateValues":
            keys.append(tuple(rule.arguments["properties"]))
        elif rule.type == "sql" and rule.query:
            rules.append(CrossPartRule(rule.query.strip(), rule.description or ""))
        else:
            raise ValueError(f"{where} {table.name}: a part's rules are its keys and sql rules against the other parts: {rule}")
    return ReturnPart(table.name, tuple(properties), tuple(keys), tuple(rules), table.description or "")


def load_contract(path: Path) -> Contract:
    odcs = _read_standard(path)
    if not odcs.schema_ or any(not _custom(t.customProperties).get("returnPart") for t in odcs.schema_[1:]):
        raise ValueError(f"{path.name}: a contract describes exactly one table (and, marked returnPart, the files of a layered return)")
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
    columns = tuple(_column(p) for p in table.properties or [])
    contract = Contract(
        id=odcs.id,
        name=odcs.name or odcs.id,
        version=odcs.version,
        owner=odcs.team.name if odcs.team and odcs.team.name else "unknown",
        purpose=odcs.description.purpose if odcs.description else "",
        agencies=_agency_rule(custom["agencies"]),
        period_kind=period_kind,
        refresh_days=int(custom.get("refreshDays", 400)),
        columns=columns,
        table_rules=tuple(table_rules),
        path=path,
        max_file_bytes=int(custom.get("maxFileBytes", 2 * 1024**3)),
        unique_keys=tuple(unique_keys),
        sheet=str(custom["sheet"]) if custom.get("sheet") is not None else None,
        years=_collection_years(custom.get("collectionYears"), columns, path.name),
        layered=tuple(_return_part(t, {c.name for c in columns}, path.name) for t in odcs.schema_[1:]),
    )
    if bad := [y.starts for y in contract.years if not contract.period_is_well_formed(y.starts)]:
        raise ValueError(f"{path.name}: collection years must be written as periods are, like {contract.period_example}: {bad}")
    return contract


def load_contracts(directory: Path) -> dict[str, Contract]:
    """Every contract in the folder (the operator's ``STORY_CONTRACTS_DIR``), by dataset id. Adding a dataset means adding a YAML file here."""
    return _load_folder(directory.resolve())


@cache
def _load_folder(folder: Path) -> dict[str, Contract]:
    contracts = [load_contract(p) for p in sorted(folder.glob("*.yaml"))]
    return {c.id: c for c in contracts}
