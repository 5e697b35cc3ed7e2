"""Whether a report's inputs changed since the latest edition, and carrying it unchanged.

Rendering a PDF with WeasyPrint is the cost of an edition, and a council's new file changes
that council's report and the national one, not the other 31. So each report is decided
from a digest of its own inputs: the context its template is rendered from (its slice of
the mart, already arranged), the bytes of every template file and the versions of this
package and of WeasyPrint. Run tags say nothing about a report's contents and are not used.

The digest is kept beside each report as ``<stem>.inputs.json`` with the page count and the
edition the report was rendered in. When the latest edition holds the same report with the
same digest, its files are copied byte for byte instead of rendered; the record travels
with them, so it still names the edition the report was rendered in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import shutil
from pathlib import Path

RECORD_SUFFIX = ".inputs.json"
# What names only the edition and the day of rendering, not anything the report shows from its inputs.
EDITION_ONLY = ("edition", "generated")


def _plain(value: object) -> object:
    """JSON for what the context holds besides JSON types: sets in a stable order, dataclasses by field."""
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def templates_digest(templates: Path) -> str:
    """One sha256 over every template file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(templates)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_digest(template: str, context: dict, templates: Path) -> str:
    """The sha256 of everything a report's rendering depends on."""
    inputs = {
        "template": template,
        "context": {k: v for k, v in context.items() if k not in EDITION_ONLY},
        "templates": templates_digest(templates),
        "weasyprint": importlib.metadata.version("weasyprint"),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=_plain).encode()).hexdigest()


def report_files(folder: Path, stem: str) -> list[Path]:
    return [folder / f"{stem}.html", folder / f"{stem}.pdf", folder / f"{stem}{RECORD_SUFFIX}"]


def write_record(folder: Path, stem: str, digest: str, pages: int, edition: str) -> dict:
    record = {"inputs_sha256": digest, "pages": pages, "rendered_in": edition}
    (folder / f"{stem}{RECORD_SUFFIX}").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return record


def read_record(folder: Path, stem: str) -> dict | None:
    path = folder / f"{stem}{RECORD_SUFFIX}"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def rendered_here(folder: Path, stem: str, digest: str, edition: str) -> dict | None:
    """The record of the report in ``folder`` when this edition rendered it from these inputs already
    (another step rendered it ahead), else None. The record is written last, so it means the files are whole."""
    record = read_record(folder, stem)
    if record is None or record["inputs_sha256"] != digest or record["rendered_in"] != edition or not all(p.exists() for p in report_files(folder, stem)):
        return None
    return record


def carry_unchanged(previous: Path, folder: Path, stem: str, digest: str) -> dict | None:
    """Copy the report from ``previous`` (the latest edition's folder of its kind) when its inputs are the same.

    Returns the carried record, or None when the report must be rendered.
    """
    record = read_record(previous, stem)
    sources = report_files(previous, stem)
    if record is None or record["inputs_sha256"] != digest or not all(p.exists() for p in sources):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copy2(source, folder / source.name)
    return record


def carried_unchanged(edition_dir: Path, folders: tuple[str, ...]) -> dict[str, str]:
    """Every file of a report in the edition that was rendered in an earlier one, with that edition."""
    carried = {}
    for folder in folders:
        for path in sorted((edition_dir / folder).glob(f"*{RECORD_SUFFIX}")):
            stem = path.name.removesuffix(RECORD_SUFFIX)
            rendered_in = read_record(path.parent, stem)["rendered_in"]
            if rendered_in != edition_dir.name:
                carried |= {f"{folder}/{p.name}": rendered_in for p in report_files(path.parent, stem) if p.exists()}
    return carried
