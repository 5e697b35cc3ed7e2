"""Unicode bidirectional controls in an agency's string never reach a published HTML page, PDF or CSV (display spoofing)."""

from __future__ import annotations

import csv
import json
import subprocess

import duckdb
from markupsafe import Markup

from assets.bidi_controls import BIDI_CONTROLS, bidi_controls_named, bidi_controls_shown, every_string, without_bidi_controls
from assets.publication.downloads import write_downloads
from assets.reports.editions import write_manifest
from assets.reports.render import environment, write_pdf

LISTED = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F}
# A quote that, drawn with its controls obeyed, would read "I was listened to" backwards, and tag an
# isolate round a name: what is stored is not what a reader would see.
QUOTE = "My worker \u202eot denetsil saw I\u202c said \u2067Ali\u2069 \u200fand \u200esmiled \U0001f469\u200d\U0001f467"
SHOWN = "My worker ot denetsil saw I said Ali and smiled \U0001f469\u200d\U0001f467"  # the emoji's zero-width joiner is no direction control


def test_every_listed_control_and_no_other_character_is_taken_out():
    assert BIDI_CONTROLS == LISTED
    assert without_bidi_controls(QUOTE) == SHOWN and without_bidi_controls(7) == 7
    assert without_bidi_controls(Markup("<b>\u202eA</b>")) == Markup("<b>A</b>")



def test_where_a_person_must_fix_them_each_is_written_out_and_named():
    shown = bidi_controls_shown(QUOTE)
    assert not BIDI_CONTROLS & set(map(ord, shown)) and "worker [U+202E]ot denetsil saw I[U+202C] said [U+2067]Ali[U+2069]" in shown
    assert bidi_controls_shown(Markup("<b>\u202eA</b>")) == Markup("<b>[U+202E]A</b>") and bidi_controls_shown(7) == 7
    assert bidi_controls_named(QUOTE)[:2] == ["U+200E LEFT-TO-RIGHT MARK", "U+200F RIGHT-TO-LEFT MARK"] and len(bidi_controls_named(QUOTE)) == 6
    assert every_string({"a\u200e": ["b\u2066", ("c",), 1]}, without_bidi_controls) == {"a": ["b", ["c"], 1]}


def test_a_page_its_pdf_and_a_csv_download_show_the_quote_without_them(tmp_path):
    html = environment().from_string('<html lang="en"><head><title>t</title></head><body><p title="{{ q }}">{{ q }}</p>{{ m }}</body></html>').render(
        q=QUOTE + " <script>", m=Markup("<i>\u202eok</i>"),
    )
    assert not BIDI_CONTROLS & set(map(ord, html)) and "&lt;script&gt;" in html and "<i>ok</i>" in html  # still escaped; markup kept
    write_pdf(html, tmp_path / "page.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "page.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert "denetsil" in text and not BIDI_CONTROLS & set(map(ord, text))
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        con.execute("CREATE TABLE mart.published_quotes (theme VARCHAR, quote VARCHAR)")
        con.executemany("INSERT INTO mart.published_quotes VALUES (?, ?)", [["Voice\u202e", QUOTE], ["Voice", "\u202e=1+1"]])
        [path] = write_downloads(con, tmp_path, edition="e1", titles={}, geography_names={})
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(r["theme"], r["quote"]) for r in csv.DictReader(handle)]
    assert rows == [("Voice", SHOWN), ("Voice", "'=1+1")]  # and a formula a control hid is still neutralised


def test_the_manifest_names_an_agency_and_a_report_without_them(tmp_path):
    """The edition's manifest.json, as a JSON viewer shows it (decoded), holds no control from an agency's folder or a report's title."""
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "r.html").write_text("<title>Fife\u2067 report</title>", encoding="utf-8")
    inputs = [{"entry_id": "e", "dataset": "looked_after_episodes", "agency": "S12000049\u202e", "period": "2021", "received_on": "2026-12-01"}]
    manifest = json.loads(write_manifest(tmp_path, "e1", "run", inputs, {}).read_text(encoding="utf-8"))
    assert not BIDI_CONTROLS & set(map(ord, json.dumps(manifest, ensure_ascii=False)))
    assert manifest["built_from"][0]["agency"] == "S12000049" and manifest["reports"][0]["title"] == "Fife report"
