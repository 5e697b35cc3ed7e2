"""The refusal report an agency analyst reads beside a quarantined file.

Written twice: Markdown for people (which rows, which columns, why, and what to do) and JSON
for tools. The wording comes from the checks themselves; this module only lays it out.
"""

from __future__ import annotations

import json
from pathlib import Path

from assets.ingest.contracts import Contract
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem

_ROWS_SHOWN = 20


def _rows_text(problem: Problem) -> str:
    if not problem.rows:
        return ""
    shown = ", ".join(str(r) for r in problem.rows[:_ROWS_SHOWN])
    more = problem.rows_affected - min(len(problem.rows), _ROWS_SHOWN)
    return f"  - Rows (counting the first row after the header as row 1): {shown}" + (f" and {more:,} more" if more > 0 else "")


def render_markdown(landed: LandedFile, contract: Contract, problems: list[Problem]) -> str:
    blocking = [p for p in problems if p.blocking]
    warnings = [p for p in problems if not p.blocking]
    lines = [
        f"# File refused: {landed.path.name}",
        "",
        f"- Agency: {landed.agency}",
        f"- Dataset: {contract.id} ({contract.name}), data contract version {contract.version}",
        f"- Received: {landed.received_at:%Y-%m-%d %H:%M} UTC, {landed.bytes:,} bytes, sha256 {landed.sha256}",
        "",
        "Nothing from this file has been loaded. The file is kept unchanged in quarantine.",
        "Fix the problems below and send the corrected file to the same folder with the same name;",
        "you can check it first with `story check FILE --dataset DATASET --agency AGENCY`.",
        "",
        f"## What must be fixed ({len(blocking)})",
        "",
    ]
    for number, problem in enumerate(blocking, start=1):
        lines.append(f"{number}. {problem.message}")
        if problem.columns:
            lines.append(f"  - Column(s): {', '.join(problem.columns)}")
        if rows := _rows_text(problem):
            lines.append(rows)
        if problem.examples:
            lines.append(f"  - Values found: {', '.join(repr(e) for e in problem.examples[:10])}")
    if warnings:
        lines += ["", f"## Warnings (would not stop the file on their own) ({len(warnings)})", ""]
        lines += [f"- {p.message}" for p in warnings]
    return "\n".join(lines) + "\n"


def write_refusal(quarantine_copy: Path, landed: LandedFile, contract: Contract, problems: list[Problem]) -> Path:
    report = quarantine_copy.with_name(quarantine_copy.name + ".refusal.md")
    report.write_text(render_markdown(landed, contract, problems), encoding="utf-8")
    quarantine_copy.with_name(quarantine_copy.name + ".refusal.json").write_text(
        json.dumps(
            {
                "outcome": "refused",
                "file": landed.path.name,
                "agency": landed.agency,
                "dataset": contract.id,
                "contract_version": contract.version,
                "sha256": landed.sha256,
                "problems": [p.as_dict() for p in problems],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return report
