"""Following a website's links without a browser: every href and src of its pages, checked against the files beside them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class PageLinks(HTMLParser):
    """Every href and src of a page, every id it defines and how many script elements it has."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def parse_page(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(pages: list[Path], root: Path) -> list[str]:
    """Links from ``pages`` that leave ``root``, name no file, or name an anchor the target page lacks."""
    parsed: dict[Path, PageLinks] = {}

    def read(path: Path) -> PageLinks:
        """Each page parsed once, however many pages link to it."""
        key = path.resolve()
        if key not in parsed:
            parsed[key] = parse_page(path)
        return parsed[key]

    broken = []
    for page in pages:
        for link in read(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                broken.append(f"{page.name} -> {link} (outside the edition)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.is_file() or not target.is_relative_to(root.resolve()):
                broken.append(f"{page.name} -> {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in read(target).ids:
                broken.append(f"{page.name} -> {link} (no such anchor)")
    return broken


def site_pages(edition: Path) -> list[Path]:
    """The home page and every page of the edition's website."""
    return [edition / "index.html", *sorted((edition / "site").glob("*.html"))]
