"""The refusal report an agency analyst reads beside a quarantined file.

One context, built here from the checks' own words, rendered three ways: HTML for people
(Jinja2 with autoescaping on, because file names, column names and sample values come from
the agency and must never become markup), Markdown for the terminal (``story check``) and
the end-to-end test, and JSON for tools. This module only lays the problems out. A Unicode
bidirectional control in any of the agency's strings is written out as its code point in all
three (``[U+202E]``, with a note naming it), so the text cannot be drawn reordered and the
agency can still find the character in its file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2

from assets.bidi_controls import bidi_controls_named, bidi_controls_shown, every_string
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem
from assets.ingest.split_names import PARTS, half_name
from assets.model.contracts import Contract

ROWS_SHOWN = 20
NOTHING_LOADED = "Nothing from this file has been loaded into any table. The file is kept unchanged in quarantine."
NOTHING_READ = "Nothing was read from it and nothing has been loaded into any table; only this report is kept."
NOTHING_KEPT = "Checked on this computer with `story check`: nothing was sent, loaded or kept."
# What a written-out control in the report stands for; {named}: each found (``bidi_controls_named``).
HIDDEN_CHARACTERS = (
    "Shown as [U+...]: invisible characters in your file or its name that change the order in which text is drawn, "
    "so that it can show something other than what it holds (Unicode bidirectional controls: {named}). "
    "They are written out by their code so that you can find them; take them out unless the text is in a right-to-left script such as Arabic or Urdu."
)
PARTIAL_LOADS = (
    "Partial loads are not allowed: a file that breaks a rule on even one row is refused whole, "
    "so that figures are never built from part of a return."
)


@cache
def _templates(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _shown(problem: Problem) -> dict:
    entry = problem.as_dict()
    entry["rows"] = entry["rows"][:ROWS_SHOWN]
    return entry


def refusal_context(landed: LandedFile, contract: Contract, problems: list[Problem], *, checked_at: str | None = None, entry_id: str | None = None) -> dict:
    """Everything the report says, as plain data (this is also the JSON written beside the file).

    ``checked_at``: the file as an agency named it to ``story check``, which judges a copy placed
    as if it had landed; the report then says where it was checked and that nothing was kept,
    not where it landed or that it is in quarantine. ``entry_id``: the ledger entry's random id,
    by which the published digest names the file.
    """
    context = {
        "outcome": "refused",
        "checked_locally": checked_at is not None,
        "file": landed.name,
        "location": checked_at or landed.location or landed.path.name,
        "agency": landed.agency,
        "dataset": contract.id,
        "dataset_name": contract.name,
        "contract_version": contract.version,
        "version_in_force": contract.years_in_force(),  # which collection years this version judges, when the contract has several
        "received_at": f"{landed.received_at:%Y-%m-%d %H:%M}",
        "bytes": landed.bytes,
        "sha256": landed.sha256,
        "entry_id": entry_id,
        "nothing_loaded": NOTHING_KEPT if checked_at is not None else NOTHING_READ if landed.refusal else NOTHING_LOADED,
        "partial_loads": PARTIAL_LOADS,
        "problems": [_shown(p) for p in problems if p.blocking],
        "warnings": [_shown(p) for p in problems if not p.blocking],
        "resend": _resend(landed, contract, checked_at is not None),
        "check_command": f"story check FILE --dataset {contract.id} --agency {landed.agency}",
    }
    return {**every_string(context, bidi_controls_shown), "hidden_characters": _hidden_characters(json.dumps(context, ensure_ascii=False))}


def _hidden_characters(text: str) -> str | None:
    """What a ``[U+202E]`` in the report stands for, naming each one found (None when there is none)."""
    named = bidi_controls_named(text)
    return HIDDEN_CHARACTERS.format(named="; ".join(named)) if named else None


def _resend(landed: LandedFile, contract: Contract, checking: bool) -> str:
    """Where and how to send the corrected return: one file, both halves of a split one, or every file of a layered one."""
    folder = f"{'your agency' if checking else 'the same'} folder ({landed.agency}/{contract.id}/)"
    if landed.part in PARTS:
        names = " and ".join(half_name(contract.id, landed.agency, "<period>", part) for part in PARTS)
        return f"Split the corrected return again (story split) and send both halves to {folder}, named {names}. Once accepted, they replace any earlier return for the same period."
    if landed.part in {p.name for p in contract.layered}:
        names = ", ".join(half_name(contract.id, landed.agency, "<period>", p.name) for p in contract.layered)
        return f"Send every file of the corrected return to {folder}, named {names}. Once accepted, they replace any earlier return for the same period."
    first = "When it passes, send it to your agency" if checking else "Send the corrected file to the same"
    return f"{first} folder ({landed.agency}/{contract.id}/), named {contract.expected_file_name(landed.agency, '<period>')}. Once accepted, it replaces any earlier file for the same period."


def render_html(context: dict) -> str:
    return _templates(True).get_template("refusal.html.j2").render(context)


def render_markdown(context: dict) -> str:
    return _templates(False).get_template("refusal.md.j2").render(context)


def render_refusal(landed: LandedFile, contract: Contract, problems: list[Problem], entry_id: str | None = None) -> dict[str, str]:
    """The HTML, Markdown and JSON reports, by the suffix each takes beside the quarantined copy."""
    context = refusal_context(landed, contract, problems, entry_id=entry_id)
    return {".refusal.html": render_html(context), ".refusal.md": render_markdown(context), ".refusal.json": json.dumps(context, indent=2)}
