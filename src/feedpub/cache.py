"""The build cache: what the last successful build knew, to redo only what changed.

It lives in one hidden folder beside output/ (``.feedpub-cache/``) and is
always safe to delete. Per entry file it records the file's identity
(size, mtime, inode, content hash) with the checked entry and its fragment
hashes; per output document, a signature of its inputs and where each
entry fragment sits inside the file. Nothing in it is trusted blindly: a
changed file identity means recompiling, a changed output file means
re-rendering, and an unreadable or foreign index means a cold build.

It is split in two files so that a rebuild with nothing to do reads only
the small ``head`` (identities and output signatures), never the ``body``
(full entry records and fragment positions). Both are stored with
``marshal`` as plain tuples and strings (no pickle, so a tampered cache
cannot run code), keyed by the feedpub version and the config bytes.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .errors import Problem
from .model import Compiled, Enclosure, Entry, Image, Person, Source

CACHE_DIR = ".feedpub-cache"
_HEAD = "head.marshal"
_BODY = "body.marshal"
_SCHEMA = 2
RACY_NS = 2_000_000_000
"""Files modified this close to the index write are re-hashed, not trusted by stat."""

Identity = tuple[int, int, int, str]
"""(size, mtime_ns, inode, content digest) of an entry file."""


@dataclass(slots=True)
class EntryRecord:
    identity: Identity
    compiled: Compiled
    """As compiled, with ``fragments`` emptied (they live in output files)."""
    fragment_digests: tuple[str, ...]


@dataclass(slots=True)
class OutputRecord:
    size: int
    mtime_ns: int
    signature: str


@dataclass(slots=True)
class Index:
    key: str
    written_ns: int = 0
    identities: dict[str, Identity] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    future: bool = False
    """The --future flag of that build: it changes what was published."""
    next_due_ns: int | None = None
    """When the earliest future-dated entry becomes due (None: there is none)."""
    entry_count: int = 0
    """Entries in the main document."""
    warnings: tuple[tuple[Any, ...], ...] = ()
    """That build's warnings, so a no-op rebuild repeats them without the body."""
    entries: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Entry records in stored form (see encode/decode); loaded with the body."""
    spans: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Per output file: fragment digest -> (offset, length)."""
    _body_path: Path | None = None

    def load_body(self) -> None:
        """Read the full records; a body from another build empties the index."""
        if self._body_path is None:
            return
        path, self._body_path = self._body_path, None
        try:
            token, self.entries, self.spans = marshal.loads(path.read_bytes())
            if token != (self.key, self.written_ns):
                raise ValueError("body belongs to another build")
        except Exception:  # any damage at all means: start cold, never fail the build
            self.identities, self.outputs, self.entries, self.spans = {}, {}, {}, {}


def cache_key(config_bytes: bytes) -> str:
    return hashlib.blake2b(
        b"%d\x00%s\x00%s" % (_SCHEMA, __version__.encode(), config_bytes), digest_size=16
    ).hexdigest()


def load_index(cache_dir: Path, key: str) -> Index:
    """The previous index head, or an empty index if missing, foreign or damaged."""
    try:
        raw = marshal.loads((cache_dir / _HEAD).read_bytes())
        if raw[0] != key:
            return Index(key)
        outputs = {name: OutputRecord(*rec) for name, rec in raw[3].items()}
        future, next_due_ns, entry_count, warnings = raw[4]
        return Index(
            key, raw[1], raw[2], outputs, future, next_due_ns, entry_count, warnings,
            _body_path=cache_dir / _BODY,
        )  # fmt: skip
    except Exception:  # any damage at all means: start cold, never fail the build
        return Index(key)


def save_index(cache_dir: Path, index: Index) -> None:
    """Write body then head, each atomically; a cache that cannot be written is skipped."""
    written_ns = time.time_ns()
    head = (
        index.key,
        written_ns,
        index.identities,
        {name: (r.size, r.mtime_ns, r.signature) for name, r in index.outputs.items()},
        (index.future, index.next_due_ns, index.entry_count, index.warnings),
    )
    body = ((index.key, written_ns), index.entries, index.spans)
    try:
        cache_dir.mkdir(exist_ok=True)
        for name, payload in ((_BODY, body), (_HEAD, head)):
            temp = cache_dir / f".{name}.{os.getpid()}"
            temp.write_bytes(marshal.dumps(payload))
            os.replace(temp, cache_dir / name)
    except OSError:
        pass  # the next build is simply cold


# -- plain-tuple encoding ------------------------------------------------------


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def encode(rec: EntryRecord) -> tuple[Any, ...]:
    c = rec.compiled
    e = c.entry
    entry = None
    if e is not None:
        entry = (
            e.path, e.slug, e.id, e.title, _date(e.date), _date(e.updated), e.link,
            tuple((p.name, p.email, p.url) for p in e.authors),
            e.summary, e.tags,
            (e.image.url, e.image.alt, e.image.credit) if e.image else None,
            (e.source.title, e.source.url) if e.source else None,
            e.lang, e.draft,
            tuple((x.url, x.type, x.length) for x in e.enclosures),
        )  # fmt: skip
    problems = tuple((p.path, p.line, p.field, p.message, p.hint, p.severity) for p in c.problems)
    return (rec.identity, c.path, entry, problems, rec.fragment_digests)


def problems_of(raw: tuple[Any, ...]) -> tuple[Problem, ...]:
    """A stored record's warnings, without decoding the rest."""
    return tuple(Problem(*p) for p in raw[3])


def problem_tuple(p: Problem) -> tuple[Any, ...]:
    return (p.path, p.line, p.field, p.message, p.hint, p.severity)


def decode(raw: tuple[Any, ...]) -> EntryRecord:
    identity, path, e, _, digests = raw
    entry = None
    if e is not None:
        entry = Entry(
            path=e[0], slug=e[1], id=e[2], title=e[3],
            date=datetime.fromisoformat(e[4]),
            updated=datetime.fromisoformat(e[5]) if e[5] else None,
            link=e[6], authors=tuple(Person(*p) for p in e[7]), summary=e[8], tags=e[9],
            image=Image(*e[10]) if e[10] else None, source=Source(*e[11]) if e[11] else None,
            lang=e[12], draft=e[13], enclosures=tuple(Enclosure(*x) for x in e[14]),
        )  # fmt: skip
    compiled = Compiled(path, identity[3], entry, (), problems_of(raw))
    size, mtime_ns, ino, digest = identity
    return EntryRecord((size, mtime_ns, ino, digest), compiled, tuple(digests))
