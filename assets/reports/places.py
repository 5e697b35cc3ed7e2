"""The places an edition reports on: Scotland, and each of the 32 councils compared with Scotland."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assets.model.reference import SCOTLAND_CODE, councils


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # "country" or "council"

    @property
    def is_scotland(self) -> bool:
        return self.code == SCOTLAND_CODE

    @property
    def slug(self) -> str:
        """A file name readers recognise: the place name in lower case, words joined by hyphens."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


SCOTLAND = Place(SCOTLAND_CODE, "Scotland", "country")


def council_places(reference_dir: Path) -> list[Place]:
    """Every current council, in alphabetical order of name."""
    return places_of(councils(reference_dir).names)


def places_of(council_names: dict[str, str]) -> list[Place]:
    """The councils named in ``council_names`` (code -> name), in alphabetical order of name."""
    return sorted((Place(code, name, "council") for code, name in council_names.items()), key=lambda p: p.name)
