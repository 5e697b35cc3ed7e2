"""Published editions: immutable folders with a manifest, and ``published/latest``.

Method notes: docs/publication.md, "Notes on `assets/reports/editions.py`".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from assets.bidi_controls import every_string, without_bidi_controls
from assets.privacy.identifier_scan import scanner_fingerprint

NATIONAL_STEM = "story-of-progress-scotland"
KINDS = {".html": "html", ".pdf": "pdf", ".csv": "csv", ".json": "json"}
REPORT_FOLDERS = {"national": "Scotland", "councils": "Councils", "organisations": "Organisations", "digests": "Data-quality digests for agencies"}
EDITION_INDEX = "index.html"  # the home page of an edition's website
SITE_FOLDER = "site"  # an edition's website pages, beside its home page
SITE_STYLESHEET = f"{SITE_FOLDER}/story.css"  # the website's one stylesheet
DOWNLOADS_FOLDER = "downloads"  # the edition's figures as CSV and spreadsheet (assets.publication.downloads)
BUILDING = ".building"  # editions being built, under the published folder: hidden until sealed
DIGEST_STAGING = ".staging-"  # a digest being written, in the digests folder


def building_dir(published_dir: Path, edition: str) -> Path:
    return published_dir / BUILDING / edition


def sealed_path(path: str | Path) -> str:
    """Where a file of an edition being built will be once the edition is sealed."""
    return str(path).replace(f"/{BUILDING}/", "/", 1)


def clear_leftovers(published_dir: Path, running: set[str]) -> list[Path]:
    """Remove what runs that are no longer running left half made: editions never sealed, a
    half-copied ``latest`` and digests never published. ``running``: the first 8 characters of
    the ids of runs still under way, which every edition's and digest's name ends with."""
    def stale(path: Path) -> bool:
        return not any(path.name.endswith(f"-{run}") for run in running)

    leftovers = [p for p in (published_dir / BUILDING).glob("*") if stale(p)] if (published_dir / BUILDING).is_dir() else []
    leftovers += [published_dir / n for n in (".latest.new", ".latest.old") if (published_dir / n).exists()]
    leftovers += [p for p in (published_dir / "digests").glob(f"{DIGEST_STAGING}*") if stale(p)] if (published_dir / "digests").is_dir() else []
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    return leftovers


def seal(edition_dir: Path, published_dir: Path) -> Path:
    """Move a built edition, its manifest written and ``latest`` swapped to it, to where it is listed."""
    sealed = published_dir / edition_dir.name
    edition_dir.rename(sealed)
    return sealed


def edition_id(run_id: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now(dt.timezone.utc)
    return f"{when:%Y-%m-%dT%H%M%SZ}-{run_id[:8]}"


def git_commit() -> str:
    """The commit of the code that made the edition: git finds the checkout from this package's folder."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def list_reports(edition_dir: Path) -> list[dict]:
    """Every report in the edition: its kind, title (from the HTML ``<title>``) and the HTML and PDF paths."""
    reports = []
    for folder in REPORT_FOLDERS:
        for page in sorted((edition_dir / folder).glob("*.html")):
            title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
            pdf = page.with_suffix(".pdf")
            reports.append({
                "kind": folder,
                "title": html.unescape(title.group(1).strip()) if title else page.stem,
                "html": str(page.relative_to(edition_dir)),
                "pdf": str(pdf.relative_to(edition_dir)) if pdf.exists() else None,
            })
    return reports


def carry_forward(edition_dir: Path, latest: Path, folder: str) -> dict[str, str]:
    """Copy the latest edition's reports in ``folder`` that this run did not render.

    Returns each carried file's path in the edition and the edition it was rendered in.
    """
    if not (latest / "manifest.json").exists():
        return {}
    previous = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    rendered_in = previous.get("carried_forward", {})
    carried = {}
    for source in sorted((latest / folder).glob("*")):
        path = f"{folder}/{source.name}"
        if not (edition_dir / path).exists():
            (edition_dir / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, edition_dir / path)
            carried[path] = rendered_in.get(path, previous["edition"])
    return carried


def write_manifest(edition_dir: Path, edition: str, run_id: str, inputs: list[dict], carried_forward: dict[str, str]) -> Path:
    """The edition's ``manifest.json``; the agencies' strings in it (the files it was built from, the reports' titles)
    without bidirectional controls, as everything published (``assets.bidi_controls``)."""
    files = [
        {"path": str(p.relative_to(edition_dir)), "kind": KINDS.get(p.suffix, "other"), "sha256": _sha256(p), "bytes": p.stat().st_size}
        for p in sorted(edition_dir.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    ]
    manifest = {
        "edition": edition,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "dagster_run_id": run_id,
        "reports": every_string(list_reports(edition_dir), without_bidi_controls),
        "carried_forward": carried_forward,
        "files": files,
        "identifier_scan": scanner_fingerprint(),
        "built_from": every_string(inputs, without_bidi_controls),
    }
    path = edition_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return path


def scanned_clean(earlier: Path, paths: list[Path]) -> set[Path]:
    """Those of ``paths`` (files of the edition being made) that the ``earlier`` edition published byte for byte, scanned by today's scan.

    An edition is published only when no file of it holds an identifier, and its manifest
    records each file's sha256 and the scan's fingerprint; so a report carried from it need
    not be read again (``pdftotext`` of every carried PDF is most of a one-council run's scan).
    A different fingerprint, or no manifest, means every file is scanned.
    """
    manifest = earlier / "manifest.json"
    if not manifest.exists():
        return set()
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    if recorded.get("identifier_scan") != scanner_fingerprint():
        return set()
    published = {f["sha256"] for f in recorded["files"]}
    return {p for p in paths if _sha256(p) in published}


def promote_to_latest(published_dir: Path, edition_dir: Path) -> Path:
    """Replace ``published/latest`` with a copy of the edition in one rename."""
    latest = published_dir / "latest"
    staging = published_dir / ".latest.new"
    retired = published_dir / ".latest.old"
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(edition_dir, staging)
    if latest.exists():
        latest.rename(retired)
    staging.rename(latest)
    shutil.rmtree(retired, ignore_errors=True)
    return latest


def write_index(published_dir: Path) -> Path:
    editions = sorted((p for p in published_dir.iterdir() if p.is_dir() and (p / "manifest.json").exists() and p.name != "latest" and not p.name.startswith(".")), reverse=True)
    items = "\n".join(
        f'<li><a href="{html.escape(e.name)}/{EDITION_INDEX}">{html.escape(e.name)}</a></li>' for e in editions
    )
    latest = published_dir / "latest"
    reports = list_reports(latest) if latest.exists() else []
    latest_items = "".join(
        f'<li><a href="latest/{html.escape(r["html"])}">{html.escape(r["title"])}</a>'
        + (f' (<a href="latest/{html.escape(r["pdf"])}">PDF</a>)' if r["pdf"] else "")
        + "</li>"
        for r in reports
    )
    # Styled like the editions' websites, by the latest one's stylesheet, when it has one.
    style = f'<link rel="stylesheet" href="latest/{SITE_STYLESHEET}">' if (latest / SITE_STYLESHEET).exists() else ""
    home = f'<p><a href="latest/{EDITION_INDEX}">The latest edition\'s website</a>: every vision statement, measure, place and organisation.</p>' if (latest / EDITION_INDEX).exists() else ""
    page = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Story of Progress: all editions</title>{style}</head>'
        '<body class="site"><main><h1>The Promise Story of Progress: all editions</h1>'
        f'{home}<h2>Latest edition</h2><ul>{latest_items}</ul><h2>Every edition</h2><ul>{items}</ul></main></body></html>'
    )
    index = published_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
