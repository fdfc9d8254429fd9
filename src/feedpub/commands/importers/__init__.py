"""``feedpub import``: turn Jekyll, Hugo and Zola posts into entry files, saying what was left out.

Each post becomes ``entries/YYYY-MM-DD-slug.yaml`` with an explicit ``tag:``
id derived from the site url, the day and the slug, so importing the same
posts again gives the same ids. Existing files are never overwritten, and a
post that cannot be imported does not stop the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import yaml

from ...errors import FeedpubError
from ...model import CONFIG_NAME, ENTRIES_DIR
from ...read.ids import tag_uri
from ..authoring import schema_modeline
from .entryfile import entry_yaml
from .frontmatter import FrontMatterError, split_post
from .notes import Finding, ImportNote, ImportReport
from .places import locate
from .posts import Tool, detect_tool, map_post

__all__ = ["SOURCES", "ImportNote", "ImportReport", "Source", "import_posts"]

Source = Literal["auto", "jekyll", "hugo", "zola"]
SOURCES: tuple[Source, ...] = ("auto", "jekyll", "hugo", "zola")
SUFFIXES = (".md", ".markdown")
SKIPPED_FOLDERS = frozenset({"_site", "public", "node_modules", "vendor", "themes"})
"""Build output and dependencies, which hold Markdown that is not the blog's posts."""
SECTION_INDEX = ("_index.md", "_index.markdown")


def import_posts(
    site_root: Path,
    paths: Sequence[Path],
    source: Source = "auto",
    *,
    site_url: str | None = None,
) -> ImportReport:
    """Write an entry for each post found in ``paths`` and report what happened.

    ``site_url`` defaults to the ``url`` of the site's ``feedpub.yaml``; ids
    are derived from it. Raises FeedpubError only if there is no such url.
    """
    url = site_url or _site_url(site_root)
    written: list[str] = []
    notes: list[ImportNote] = []
    for path, shown, found in _post_files(paths, notes):
        findings, target = _import_one(site_root, url, path, source, found)
        notes += [ImportNote(shown, f.line, f.message, f.severity) for f in findings]
        if target is not None:
            written.append(target)
    return ImportReport(tuple(written), tuple(notes))


def _site_url(site_root: Path) -> str:
    config = site_root / CONFIG_NAME
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FeedpubError.one(
            f"cannot read the site's url: {exc}",
            path=str(config),
            hint="run feedpub import in a site folder (or use -C), made with feedpub init",
        ) from exc
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise FeedpubError.one("has no url: the entries' ids are made from it", path=str(config))
    return url.strip()


def _post_files(paths: Sequence[Path], notes: list[ImportNote]) -> Iterator[tuple[Path, str, bool]]:
    """Each Markdown file once, sorted by its shown path; ``found`` if a folder walk found it."""
    files: dict[Path, tuple[str, bool]] = {}
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given)
                if _wanted(relative) and path.is_file():
                    files.setdefault(path.resolve(), ((given / relative).as_posix(), True))
        elif given.is_file():
            if given.name not in SECTION_INDEX:
                files.setdefault(given.resolve(), (given.as_posix(), False))
        else:
            notes.append(ImportNote(given.as_posix(), None, "no such file or folder", "error"))
    for path, (shown, found) in sorted(files.items(), key=lambda item: item[1][0]):
        yield path, shown, found


def _wanted(relative: Path) -> bool:
    folders = relative.parts[:-1]
    if any(part.startswith(".") or part in SKIPPED_FOLDERS for part in folders):
        return False
    name = relative.name
    return name.endswith(SUFFIXES) and not name.startswith(".") and name not in SECTION_INDEX


def _import_one(
    site_root: Path, url: str, path: Path, source: Source, found: bool
) -> tuple[list[Finding], str | None]:
    """The notes about one post and the entry file written for it, if any."""
    try:
        text = path.read_text(encoding="utf-8")
        front = split_post(text)
    except OSError as exc:
        return [Finding(None, f"cannot read: {exc.strerror}", "error")], None
    except UnicodeDecodeError:
        return [Finding(None, "is not UTF-8 text", "error")], None
    except FrontMatterError as exc:
        return [Finding(exc.line, exc.message, "error")], None
    if front is None:
        if found:
            return [Finding(1, "no front matter: not a post; skipped")], None
        return [Finding(1, "no front matter ('---' or '+++' on the first line)", "error")], None
    place = locate(path)
    tool: Tool | None = detect_tool(place, front) if source == "auto" else source
    if tool is None:
        message = "cannot tell which tool wrote this post; use --from jekyll, hugo or zola"
        return [Finding(None, message, "error")], None
    post, findings = map_post(front, place, tool)
    if post is None:
        return findings, None
    relative = f"{ENTRIES_DIR}/{post.day.isoformat()}-{post.slug}.yaml"
    target = site_root / relative
    entry_id = tag_uri(url, post.day, post.slug)
    text = schema_modeline(target, site_root, "entry") + entry_yaml(post, entry_id, place.label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        message = f"{relative} already exists; not overwritten"
        return [Finding(None, message, "error")], None
    except OSError as exc:
        return [Finding(None, f"cannot write {relative}: {exc.strerror}", "error")], None
    return findings, relative
