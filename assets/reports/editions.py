"""Published editions: immutable folders with a manifest, and ``published/latest``.

An edition is written to ``published/<edition id>/`` and never changed afterwards. Its
``manifest.json`` lists every file (path, kind, sha256), the ingest ledger entries (data
vintages) it was built from, the git commit and the Dagster run. ``published/latest/`` is a
copy of the newest edition, swapped in with a rename so readers never see half of one, and
``published/index.html`` lists every edition.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import shutil
import subprocess
from pathlib import Path

from orchestration.settings import REPO_ROOT

NATIONAL_STEM = "story-of-progress-scotland"
KINDS = {".html": "html", ".pdf": "pdf", ".csv": "csv", ".json": "json"}


def edition_id(run_id: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now(dt.timezone.utc)
    return f"{when:%Y-%m-%dT%H%M%SZ}-{run_id[:8]}"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(edition_dir: Path, edition: str, run_id: str, inputs: list[dict]) -> Path:
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
        "files": files,
        "built_from": inputs,
    }
    path = edition_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return path


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
    editions = sorted((p for p in published_dir.iterdir() if p.is_dir() and (p / "manifest.json").exists() and p.name != "latest"), reverse=True)
    items = "\n".join(
        f'<li><a href="{html.escape(e.name)}/">{html.escape(e.name)}</a></li>' for e in editions
    )
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Story of Progress: all editions</title></head>'
        f'<body><main><h1>Story of Progress: all editions</h1><p><a href="latest/">Latest edition</a></p><ul>{items}</ul></main></body></html>'
    )
    index = published_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
