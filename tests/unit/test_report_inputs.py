"""The digest that decides whether a report is rendered or carried, and the carrying itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets.reports.render import TEMPLATES
from assets.reports.report_inputs import RECORD_SUFFIX, carried_unchanged, carry_unchanged, inputs_digest, write_record

CONTEXT = {
    "place": "Fife",
    "edition": "E1",
    "generated": "1 March 2026",
    "tool_version": "1.0.0",
    "q2_sections": [{"measures": [{"id": "m1", "latest_display": "12.5", "categories": {"girls", "boys"}}]}],
}


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _with(**changes) -> dict:
    return {**CONTEXT, **changes}


def test_the_digest_ignores_what_names_only_the_edition(templates: Path):
    assert inputs_digest("report.html.j2", _with(edition="E2", generated="1 June 2026"), templates) == inputs_digest("report.html.j2", CONTEXT, templates)


def test_a_changed_figure_template_or_code_version_changes_the_digest(templates: Path):
    before = inputs_digest("report.html.j2", CONTEXT, templates)
    figure = _with(q2_sections=[{"measures": [{"id": "m1", "latest_display": "12.6", "categories": {"girls", "boys"}}]}])
    assert inputs_digest("report.html.j2", figure, templates) != before
    assert inputs_digest("report.html.j2", _with(tool_version="1.0.1"), templates) != before
    assert inputs_digest("organisation.html.j2", CONTEXT, templates) != before
    partial = next(p for p in sorted(templates.rglob("*.j2")) if p.name != "report.html.j2")
    partial.write_text(partial.read_text() + "\n{# a wording change #}\n")
    assert inputs_digest("report.html.j2", CONTEXT, templates) != before


def _report(folder: Path, stem: str, digest: str, edition: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.html").write_text(f"<title>{stem}</title>")
    (folder / f"{stem}.pdf").write_bytes(b"%PDF " + stem.encode())
    write_record(folder, stem, digest, 7, edition)


def test_only_a_report_with_the_same_digest_is_carried_and_it_keeps_the_edition_it_was_rendered_in(tmp_path: Path):
    latest, edition = tmp_path / "latest" / "councils", tmp_path / "E3" / "councils"
    _report(latest, "fife", "aaa", "E1")
    assert carry_unchanged(latest, edition, "fife", "bbb") is None
    assert not edition.exists()
    assert carry_unchanged(latest, edition, "missing", "aaa") is None
    assert carry_unchanged(latest, edition, "fife", "aaa")["pages"] == 7
    for suffix in (".html", ".pdf", RECORD_SUFFIX):
        assert (edition / f"fife{suffix}").read_bytes() == (latest / f"fife{suffix}").read_bytes()
    _report(edition, "glasgow-city", "ccc", "E3")  # rendered in this edition
    assert carried_unchanged(tmp_path / "E3", ("national", "councils")) == {
        "councils/fife.html": "E1",
        "councils/fife.pdf": "E1",
        f"councils/fife{RECORD_SUFFIX}": "E1",
    }
