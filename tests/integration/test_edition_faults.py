"""A failed run leaves nothing that looks published (issue 33): a full disk at each publication step.

Each step's writer is made to fail as a full disk does (``OSError`` ENOSPC, after writing part
of its output where it can). Afterwards ``latest`` is still the last edition, whole; no folder
outside the hidden build area looks like an edition; the list of editions does not name the
failed one; and the next run that succeeds clears what the failed one left.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.model.contracts import load_contracts
from assets.model.keys import NATIONAL_REPORT, PUBLISHED_EDITION
from assets.partitions import council_partitions
from assets.reports import editions, factory, render
from assets.reports.factory import build_report_assets
from orchestration.resources import build_resources
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS, SHARED
from tests.support.sample_mart import build_sample_mart, report_test_measures


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _pdf_cut_short(html: str, destination: Path) -> int:
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(b"")  # the 0-byte PDF a full disk leaves
    _disk_full()


def _latest_half_copied(published_dir: Path, edition_dir: Path) -> Path:
    shutil.copytree(edition_dir / "national", published_dir / ".latest.new" / "national")
    _disk_full()


FAULTS = {
    "downloads": (factory, "write_downloads", _disk_full),
    "website": (factory, "write_website", _disk_full),
    "manifest": (factory, "write_manifest", _disk_full),
    "promotion": (factory, "promote_to_latest", _latest_half_copied),
    "rendering": (render, "write_pdf", _pdf_cut_short),
}


def _assets():
    built = build_report_assets(report_test_measures(), load_contracts(CONTRACTS), council_partitions(SHARED / "reference"))
    return [a for a in built if a.key in (NATIONAL_REPORT, PUBLISHED_EDITION)]


def _run(settings: Settings, instance: dg.DagsterInstance) -> bool:
    return dg.materialize(_assets(), resources=build_resources(settings), instance=instance, raise_on_error=False).success


def _looks_published(published: Path) -> list[str]:
    return sorted(p.name for p in published.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in ("latest", "digests"))


def _listed(published: Path) -> list[str]:
    """The editions the list of editions names (beside its link to the latest)."""
    return [e for e in re.findall(r'href="([^"/]+)/index.html"', (published / "index.html").read_text()) if e != "latest"]


def test_a_full_disk_at_any_publication_step_leaves_nothing_that_looks_published(story_env: Path, monkeypatch: pytest.MonkeyPatch):
    """One instance, one failed run per step; the report's inputs change only before the rendering
    step's run (otherwise the report is carried from the latest edition, and rendering is quick)."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True)
    build_sample_mart(settings.warehouse_path, settings.reference_dir, entries=report_test_measures(), optional=False)
    published = settings.published_dir
    with dg.instance_for_test() as instance:
        assert _run(settings, instance)
        [first] = _looks_published(published)
        for step, (module, name, fault) in FAULTS.items():
            if step == "rendering":
                with duckdb.connect(str(settings.warehouse_path)) as con:  # new inputs, so the national report is rendered again
                    con.execute("UPDATE mart.data_coverage SET outcome = 'superseded' WHERE entry_id = (SELECT min(entry_id) FROM mart.data_coverage WHERE outcome = 'accepted')")
            with monkeypatch.context() as patch:
                patch.setattr(module, name, fault)
                assert not _run(settings, instance), step
            assert json.loads((published / "latest" / "manifest.json").read_text())["edition"] == first, f"{step}: latest is still the last edition"
            assert (published / "latest" / "national" / f"{editions.NATIONAL_STEM}.pdf").stat().st_size > 0, step
            assert _looks_published(published) == [first] and _listed(published) == [first], step
            # What the failed run left is hidden, and the next run clears it: one run's leftovers at most.
            assert len(list((published / editions.BUILDING).iterdir())) == 1, step

        assert _run(settings, instance)
        second = json.loads((published / "latest" / "manifest.json").read_text())["edition"]
        assert _looks_published(published) == sorted([first, second]) and _listed(published) == sorted([first, second], reverse=True)
        assert not list((published / editions.BUILDING).iterdir()) and not (published / ".latest.new").exists()
