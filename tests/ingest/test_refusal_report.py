"""The refusal report: every failed rule in plain words with its column, rows, masked values
and fix; agency-supplied text escaped in the HTML; the same content in JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assets.bidi_controls import BIDI_CONTROLS
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.refusal_report import PARTIAL_LOADS, refusal_context, render_html, render_markdown, render_refusal
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import COLUMNS, DATASET, FORENAMES, EpisodesFile

REFERENCE = SHARED / "reference"
SCRIPT = '<img src=x onerror="alert(1)">'


class _Text(HTMLParser):
    """The text a reader sees, and every tag the browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, _Text]:
    tmp = tmp_path_factory.mktemp("refusal")
    sample = EpisodesFile.valid("S12000049", "2021")
    for number in range(24):  # 25 rows with an unknown code, more than the 20 listed
        sample.rows.append({**sample.rows[2], "child_ref": f"C1{number:03d}"})
    for row in range(3, 28):
        sample.set(row, "placement_type", SCRIPT)
    sample.set(1, "forename", "")
    path = tmp / "landing" / "S12000049" / DATASET / sample.file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(sample.bytes())
    contract = load_contracts(CONTRACTS)[DATASET]
    landed = landed_file(path)
    [verdict] = judge([landed], contract, councils(REFERENCE), REFERENCE, tmp / "staging.duckdb")
    reports = render_refusal(landed, contract, verdict.problems)
    page = _Text()
    page.feed(reports[".refusal.html"])
    return reports[".refusal.html"], json.loads(reports[".refusal.json"]), page


def test_each_failed_rule_has_its_column_rows_count_values_and_fix(refused):
    _, report, page = refused
    text = " ".join("".join(page.text).split())
    by_rule = {p["check"]: p for p in report["problems"]}
    code = by_rule["code_list"]
    assert code["columns"] == ["placement_type"] and code["rows_affected"] == 25 and code["rows"] == list(range(3, 23))
    assert "Rows affected: 25; the first 20 are 3, 4, 5" in text
    assert by_rule["required"]["columns"] == ["forename"] and by_rule["required"]["rows"] == [1]
    assert f"How to fix it: {code['fix']}" in text and "at_home_with_parents" in code["fix"]
    assert PARTIAL_LOADS in text and "Nothing from this file has been loaded" in text


def test_agency_supplied_text_is_escaped_not_markup(refused):
    raw, _, page = refused
    assert SCRIPT not in raw and "&lt;img src=x onerror=" in raw
    assert "img" not in page.tags and "script" not in page.tags
    assert SCRIPT in " ".join(page.text)  # the reader still sees exactly what was sent


def test_identifiers_never_appear_in_the_report(refused):
    html, report, _ = refused
    for planted in FORENAMES:
        assert planted not in html and planted not in json.dumps(report)


def test_a_markup_file_name_is_escaped(tmp_path: Path):
    sample = EpisodesFile.valid("S12000049", "2021")
    path = tmp_path / "landing" / "S12000049" / DATASET / f"<b>{sample.file_name}"
    path.parent.mkdir(parents=True)
    path.write_bytes(sample.bytes())
    contract = load_contracts(CONTRACTS)[DATASET]
    landed = landed_file(path)
    [verdict] = judge([landed], contract, councils(REFERENCE), REFERENCE, tmp_path / "staging.duckdb")
    page = render_refusal(landed, contract, verdict.problems)[".refusal.html"]
    assert "<b>" not in page and f"&lt;b&gt;{sample.file_name}" in page


def test_a_report_for_story_check_says_where_it_was_checked_and_that_nothing_was_kept(tmp_path: Path):
    """``story check`` judges a copy placed as if landed; its report must not say the file was found in landing or kept in quarantine."""
    sample = EpisodesFile.valid("S12000049", "2021").set(2, "sex", "X")
    path = tmp_path / "landing" / "S12000049" / DATASET / sample.file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(sample.bytes())
    contract = load_contracts(CONTRACTS)[DATASET]
    landed = landed_file(path)
    [verdict] = judge([landed], contract, councils(REFERENCE), REFERENCE, tmp_path / "staging.duckdb")
    context = refusal_context(landed, contract, verdict.problems, checked_at="returns/my_file.csv")
    page = _Text()
    page.feed(render_html(context))
    for text in (render_markdown(context), " ".join("".join(page.text).split())):
        assert "returns/my_file.csv" in text and "nothing was sent, loaded or kept" in text
        assert "quarantine" not in text and "Found at" not in text and "landing/" not in text


def test_a_bidirectional_control_is_written_out_and_named_never_obeyed(tmp_path: Path):
    """A value, a column name and a file's name holding direction controls: no report holds one, and each shows where it was."""
    contract = load_contracts(CONTRACTS)[DATASET]
    value = EpisodesFile.valid("S12000049", "2021").set(2, "placement_type", "foster\u202ecare")
    column = EpisodesFile.valid("S12000049", "2022")
    judged = []
    for sample, header in ((value, COLUMNS), (column, [*COLUMNS, "notes\u2066"])):
        path = tmp_path / "landing" / "S12000049" / DATASET / sample.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sample.text(header), encoding="utf-8")
        landed = landed_file(path)
        [verdict] = judge([landed], contract, councils(REFERENCE), REFERENCE, tmp_path / f"{sample.period}.duckdb")
        judged.append((landed, verdict.problems))
    reports = [render_refusal(landed, contract, problems) for landed, problems in judged]
    checked = refusal_context(judged[0][0], contract, judged[0][1], checked_at="returns/\u2067my_file.csv")
    for text in (*reports[0].values(), *reports[1].values(), render_markdown(checked), render_html(checked)):
        assert not BIDI_CONTROLS & set(map(ord, text))
    for report in reports:  # nor what a tool reading the JSON gets
        assert not BIDI_CONTROLS & set(map(ord, json.dumps(json.loads(report[".refusal.json"]), ensure_ascii=False)))
    for kind in (".refusal.md", ".refusal.html"):
        assert "foster[U+202E]care" in reports[0][kind] and "U+202E RIGHT-TO-LEFT OVERRIDE" in reports[0][kind]
        assert "notes[U+2066]" in reports[1][kind] and "U+2066 LEFT-TO-RIGHT ISOLATE" in reports[1][kind]
    assert json.loads(reports[1][".refusal.json"])["problems"][0]["columns"] == ["notes[U+2066]"]
    assert "returns/[U+2067]my_file.csv" in render_markdown(checked) and "U+2067 RIGHT-TO-LEFT ISOLATE" in render_html(checked)
    assert refusal_context(judged[0][0], contract, [])["hidden_characters"] is None  # no note where nothing was written out
