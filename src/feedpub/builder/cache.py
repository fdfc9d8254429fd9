"""The build cache: one SQLite database in ``.feedpub-cache/`` beside the output.

It remembers, per entry file, its stat identity, content hash, checked
entry and fragments, and per output file what it was built from. It is
keyed on everything that shapes the output (feedpub's, Python's and the
libraries' versions, the config bytes); any mismatch or damage means a cold
build. One transaction per build: a killed build leaves the old cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import Problem

if TYPE_CHECKING:
    from ..read.scan import FileStat
    from .compile import Compiled

CACHE_DIR = ".feedpub-cache"
SCHEMA_VERSION = "4"
SHAPING_LIBRARIES = ("feedgen", "lxml", "nh3", "pyromark", "yaml")
"""Libraries whose version changes what the feeds hold: an upgrade means a cold build."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    shown TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,
    checked_ns INTEGER NOT NULL, digest TEXT NOT NULL, problems TEXT NOT NULL,
    id TEXT, link TEXT, draft INTEGER, date_us INTEGER, modified_us INTEGER, modified TEXT
);
CREATE INDEX IF NOT EXISTS files_id ON files (id);
CREATE TABLE IF NOT EXISTS entries (shown TEXT PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fragments (
    shown TEXT NOT NULL, format TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (shown, format)
);
CREATE TABLE IF NOT EXISTS outputs (
    name TEXT PRIMARY KEY, signature TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,
    digest TEXT NOT NULL
);
"""
_FILE_COLUMNS = 14


def cache_dir_for(out: Path) -> Path:
    """Beside the output folder, so ``-o elsewhere`` never mixes two caches."""
    return out.parent / CACHE_DIR


def cache_key(config_bytes: bytes) -> str:
    """What must be equal for cached fragments and outputs to be trusted."""
    parts = [SCHEMA_VERSION, __version__, sys.version, _own_files()]
    for name in SHAPING_LIBRARIES:
        parts.append(f"{name} {_installed(name)}")
    digest = hashlib.sha256("\n".join(parts).encode())
    digest.update(config_bytes)
    return digest.hexdigest()


def _installed(module: str) -> str:
    """The library as installed: its package file's path, size and mtime, which any other
    version (or a reinstall) changes. Found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "none"
    info = os.stat(spec.origin)
    return f"{spec.origin} {info.st_size} {info.st_mtime_ns}"


def _own_files() -> str:
    """feedpub's own modules as installed (names, sizes, mtimes): a changed feedpub,
    even at the same version (a development checkout), means a cold build."""
    package = Path(__file__).resolve().parent.parent
    found = []
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        found.append(f"{path.relative_to(package)} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(found)


Identity = tuple[int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode): a file with all four unchanged was not edited."""


@dataclass(frozen=True, slots=True)
class FileRow:
    """What the cache knows of one entry file, apart from its entry and fragments."""

    shown: str
    identity: Identity
    checked_ns: int
    """The filesystem time when its bytes were last hashed: a later mtime is not trusted."""
    digest: str

    def trusted(self, file: FileStat) -> bool:
        """Unchanged by its stat, and changed long enough before it was hashed to tell."""
        return self.identity == file.identity and file.mtime_ns < self.checked_ns


class Cache:
    """An open cache database; changes are one transaction until ``commit``.

    ``folder`` None keeps it in memory (``render_site``, ``use_cache=False``).
    """

    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.key = key
        self.notice: str | None = None
        """Why an existing cache could not be used, when it was damaged."""
        if folder is None:
            self.db = _connect(":memory:")
            self._reset(self.db)
            return
        folder.mkdir(parents=True, exist_ok=True)
        self.db = self._open(folder / "cache.sqlite3")

    def _open(self, path: Path) -> sqlite3.Connection:
        try:
            db = _connect(str(path))
            if self._meta(db, "key") != self.key:
                self._reset(db)
            return db
        except sqlite3.DatabaseError as exc:
            self.notice = f"the build cache was unreadable ({exc}); building from scratch"
            for stale in (path, path.with_name(path.name + "-journal")):
                stale.unlink(missing_ok=True)
            db = _connect(str(path))
            self._reset(db)
            return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _reset(self, db: sqlite3.Connection) -> None:
        """Start empty, with this feedpub's tables (an older one's may have other columns)."""
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (table,) in tables:
            db.execute(f'DROP TABLE "{table}"')
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('key', ?)", (self.key,))

    def stamp(self) -> int:
        """The filesystem's "now", taken before looking at the files (as git's index does):
        a file whose mtime is not older was maybe written while it was looked at."""
        if self.folder is None:
            return 0
        mark = self.folder / "stamp"
        mark.write_bytes(b"")
        return mark.stat().st_mtime_ns

    @property
    def cold(self) -> bool:
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    def get_meta(self, key: str, default: str = "") -> str:
        value = self._meta(self.db, key)
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- entry files -------------------------------------------------------

    def stats(self) -> list[tuple[str, int, int, int, int, int]]:
        """(shown, size, mtime_ns, ctime_ns, inode, checked_ns) of every file, by name."""
        query = "SELECT shown, size, mtime_ns, ctime_ns, ino, checked_ns FROM files ORDER BY shown"
        return self.db.execute(query).fetchall()

    def files(self) -> dict[str, FileRow]:
        """Every entry file the cache knows, as the build began (read once per build)."""
        if self._files is None:
            rows = self.db.execute(
                "SELECT shown, size, mtime_ns, ctime_ns, ino, checked_ns, digest FROM files"
            )
            self._files = {r[0]: FileRow(r[0], (r[1], r[2], r[3], r[4]), r[5], r[6]) for r in rows}
        return self._files

    _files: dict[str, FileRow] | None = None

    def set_identities(self, changed: list[tuple[str, Identity]], checked_ns: int) -> None:
        """New stats of files whose bytes did not change (copied, touched, too recent)."""
        self.db.executemany(
            "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, checked_ns = ?"
            " WHERE shown = ?",
            [(*identity, checked_ns, shown) for shown, identity in changed],
        )

    def remove(self, shown: str) -> None:
        self.db.execute("DELETE FROM files WHERE shown = ?", (shown,))
        self.db.execute("DELETE FROM entries WHERE shown = ?", (shown,))
        self.db.execute("DELETE FROM fragments WHERE shown = ?", (shown,))

    def put(
        self,
        batch: list[Compiled],
        identities: dict[str, Identity],
        checked_ns: int,
        *,
        fresh: bool = False,
    ) -> None:
        """Compiled files: their rows and fragments, in a few statements per batch
        (``fresh``: the cache held no entry when the build began, nothing to replace)."""
        rows = []
        for compiled in batch:
            problems = dump_problems(compiled.problems)
            record = compiled.record
            described: tuple[object, ...] = (None,) * 6
            if record is not None:
                described = (
                    record.id, record.link, int(record.draft), record.date_us,
                    record.modified_us, record.modified,
                )  # fmt: skip
            identity = identities[compiled.shown]
            rows.append((compiled.shown, *identity, checked_ns, compiled.digest, problems,
                         *described))  # fmt: skip
        if not fresh:
            names = [(c.shown,) for c in batch]
            self.db.executemany("DELETE FROM fragments WHERE shown = ?", names)
            self.db.executemany("DELETE FROM entries WHERE shown = ?", names)
        marks = ",".join("?" * _FILE_COLUMNS)
        self.db.executemany(f"INSERT OR REPLACE INTO files VALUES ({marks})", rows)
        self.db.executemany(
            "INSERT INTO entries VALUES (?, ?)",
            [(c.shown, c.record.entry_json) for c in batch if c.record is not None],
        )
        self.db.executemany(
            "INSERT INTO fragments VALUES (?, ?, ?)",
            [(c.shown, fmt, data) for c in batch for fmt, data in c.fragments],
        )

    def problems(self) -> list[Problem]:
        """Every file's problems, in file order."""
        rows = self.db.execute("SELECT problems FROM files WHERE problems != '[]' ORDER BY shown")
        return [problem for (text,) in rows for problem in load_problems(text)]

    def shared_ids(self) -> list[tuple[str, str]]:
        """(shown, id) of every entry whose id another entry has too, in file order."""
        query = (
            "SELECT shown, id FROM files WHERE id IN (SELECT id FROM files WHERE id IS NOT NULL"
            " GROUP BY id HAVING COUNT(*) > 1) ORDER BY shown"
        )
        return list(self.db.execute(query))

    def has_id(self, entry_id: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM files WHERE id = ?", (entry_id,)).fetchone() is not None
        )

    def ids_by_link(self, shown: Iterable[str]) -> dict[str, str]:
        """link -> id of these files as the cache has them (before they change)."""
        found: dict[str, str] = {}
        for name in shown:
            query = "SELECT link, id FROM files WHERE shown = ? AND link IS NOT NULL"
            row = self.db.execute(query, (name,)).fetchone()
            if row is not None:
                found[row[0]] = row[1]
        return found

    def items(self) -> list[tuple[str, str, int, int, str, int, str]]:
        """(shown, id, date_us, modified_us, modified, draft, digest) of every valid entry."""
        return list(
            self.db.execute(
                "SELECT shown, id, date_us, modified_us, modified, draft, digest FROM files"
                " WHERE id IS NOT NULL"
            )
        )

    def entries_json(self, shown: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for name in shown:
            row = self.db.execute("SELECT entry FROM entries WHERE shown = ?", (name,)).fetchone()
            if row is not None and row[0] is not None:
                yield name, json.loads(row[0])

    def fragments(self, fmt: str, shown: list[str], batch: int = 500) -> Iterator[bytes]:
        """The fragments of ``shown`` entries in that order, a batch of rows at a time."""
        for start in range(0, len(shown), batch):
            names = shown[start : start + batch]
            marks = ",".join("?" * len(names))
            found = dict(
                self.db.execute(
                    f"SELECT shown, data FROM fragments WHERE format = ? AND shown IN ({marks})",
                    (fmt, *names),
                )
            )
            for name in names:
                yield found[name]

    # -- output files ------------------------------------------------------

    def outputs(self) -> dict[str, tuple[str, int, int, str]]:
        """name -> (signature, size, mtime_ns, digest) as the last build wrote them."""
        rows = self.db.execute("SELECT name, signature, size, mtime_ns, digest FROM outputs")
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def altered(self, out: Path, names: Iterable[str]) -> list[str]:
        """Of these output files, those not as the last build left them. A file with
        another stat but the same bytes (copied, touched) gets its new stat recorded."""
        known = self.outputs_cached()
        altered: list[str] = []
        suspects: list[tuple[str, int]] = []
        for name in names:
            record = known.get(name)
            try:
                info = os.stat(os.path.join(out, name))  # not pathlib: once per output file
            except OSError:
                info = None
            if record is None or info is None or info.st_size != record[1]:
                altered.append(name)
            elif info.st_mtime_ns != record[2]:
                suspects.append((name, info.st_mtime_ns))
        if suspects:
            from .parallel import file_digests

            paths = [os.path.join(out, name) for name, _ in suspects]
            same = []
            for (name, mtime_ns), digest in zip(suspects, file_digests(paths), strict=True):
                if digest == known[name][3]:
                    same.append((mtime_ns, name))
                else:
                    altered.append(name)
            self.db.executemany("UPDATE outputs SET mtime_ns = ? WHERE name = ?", same)
            self.changed = self.changed or bool(same)
        return altered

    def outputs_cached(self) -> dict[str, tuple[str, int, int, str]]:
        if self._outputs is None:
            self._outputs = self.outputs()
        return self._outputs

    _outputs: dict[str, tuple[str, int, int, str]] | None = None
    changed = False
    """Whether a build with nothing to do recorded something (new stats of same bytes)."""

    def outputs_intact(self, out: Path) -> bool:
        names = self.outputs_cached()
        return bool(names) and not self.altered(out, names)

    def record_outputs(
        self, out: Path, signatures: dict[str, str], digests: dict[str, str]
    ) -> None:
        """What the build left in ``out``: rows for the files it rendered (``digests``),
        none for those it no longer makes; the rows of files it kept stay as they are."""
        gone = [(name,) for name in self.outputs_cached() if name not in signatures]
        self.db.executemany("DELETE FROM outputs WHERE name = ?", gone)
        rows = []
        for name, digest in digests.items():
            info = os.stat(os.path.join(out, name))
            rows.append((name, signatures[name], info.st_size, info.st_mtime_ns, digest))
        self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", rows)
        self._outputs = None

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.rollback()  # whatever was not committed never happened
        self.db.close()


def dump_problems(problems: Iterable[Problem]) -> str:
    """Problems as JSON, to be told again by builds that do not read their files."""
    return json.dumps(
        [[p.path, p.line, p.field, p.message, p.hint, p.severity] for p in problems],
        ensure_ascii=False,
    )


def load_problems(text: str) -> tuple[Problem, ...]:
    return tuple(Problem(*fields) for fields in json.loads(text))


def _connect(path: str) -> sqlite3.Connection:
    """An open database inside a write transaction: builds of one site take turns
    (a second build waits up to 30 s), so neither reads what the other is changing."""
    db = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(_SCHEMA)
    db.commit()
    db.execute("BEGIN IMMEDIATE")
    return db
