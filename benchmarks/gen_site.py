"""Generate a deterministic synthetic feedpub site for benchmarking.

Usage: ``python benchmarks/gen_site.py OUTDIR --entries N [--seed S]
[--limit N] [--archive]``

Every byte comes from one ``random.Random(seed)``, so the same arguments give
byte-identical sites on any machine and benchmark numbers stay comparable
across changes.  Text is assembled from sentence pools built up front rather
than word by word, and files are written on a background thread: 100,000
entries (~510 MB) take about 30 s on a busy 2-core VM, while the Markdown
bodies still exercise paragraphs, lists, code blocks, headings, links and
inline markup the way real posts do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 1, 1, tzinfo=UTC)
SPACING = timedelta(hours=6)
# Jitter stays below SPACING so dates strictly decrease with the entry index.
MAX_JITTER_S = 3 * 3600
SITE_URL = "https://bench.example.org/"
BATCH = 500  # entries per write batch; two batches are in memory at most
ADDED_TITLE = "Benchmark added entry"

WORDS = """
about above access account across action active actual added address admin
advance after again agent ahead alert align allow alpha among anchor angle
answer apply archive argument around array asset atomic audio author backup
balance banner basic batch before begin below better binary block border
bottom branch bridge brief buffer build bundle button cache calendar camera
canvas capture carbon careful center change channel chapter check choice
circle client clock cloud cluster column comment commit common compile
config connect content context control copper corner counter course cover
create current custom cycle daily damage data debug decade default delta
deploy design detail device digital direct domain double draft driver early
editor effect either element empty enable encode engine entry error event
exact example export extra factor family feature field filter final first
fixed flag folder follow format forward frame fresh front future garden
general gentle global golden graph green group growth guide handle harbor
header health heavy height hidden history holder horizon image import index
inline input inside island issue journal kernel label ladder large latency
layer layout leader legacy letter level library light limit linear listen
little local logic manual margin market master matrix medium memory merge
method middle mirror mobile model module moment monitor motion native network
notice number object ocean offset online option orange order origin output
owner packet panel parallel parser pattern people period pixel planet plugin
pocket policy portal power prefix preview primary print private process
profile project prompt proper public publish query quick quiet random range
reader record region release remote render report request reserve result
review river router runtime sample scale schema screen script search season
second secret section select sender series server session shadow share shell
signal silent simple single socket source space sphere spring stable static
status steady stream strong studio style subject summer switch symbol syntax
system table target template tenant theory thread ticket timber token topic
tower track traffic travel trigger update upload useful valley value vector
version vessel video view visual volume window winter worker yellow
""".split()  # noqa: SIM905 (reads better than a list literal)

IDENTIFIERS = """
feedpub.build render_markdown parse_date --root atom.xml rss.xml
yaml.safe_load FeedGenerator __init__ os.scandir max_items utf-8 None True
pathlib.Path config.yaml --limit sort_key datetime.now() json.dumps
""".split()  # noqa: SIM905 (reads better than a list literal)

LINK_HOSTS = [
    "https://docs.example.com",
    "https://blog.example.net",
    "https://www.example.org",
    "https://github.com/example",
    "https://wiki.example.com/w",
]

# (display name, email local part); a few non-ASCII names exercise UTF-8.
AUTHORS = [
    ("Alice Martin", "alice.martin"),
    ("Bruno Costa", "bruno.costa"),
    ("Chen Wei", "chen.wei"),
    ("Dana Okafor", "dana.okafor"),
    ("Emil Johansson", "emil.johansson"),
    ("Fatima Haddad", "fatima.haddad"),
    ("Gregor Novak", "gregor.novak"),
    ("Hana Suzuki", "hana.suzuki"),
    ("Ivan Petrov", "ivan.petrov"),
    ("Jürgen Weiß", "juergen.weiss"),
    ("Kavya Rao", "kavya.rao"),
    ("Liam O'Brien", "liam.obrien"),
    ("Maya Cohen", "maya.cohen"),
    ("Nils Andersen", "nils.andersen"),
    ("Olga Ivanova", "olga.ivanova"),
    ("Pablo Núñez", "pablo.nunez"),
    ("Quinn Taylor", "quinn.taylor"),
    ("Rosa Lefèvre", "rosa.lefevre"),
    ("Samir Khan", "samir.khan"),
    ("Tess Walker", "tess.walker"),
]

TAGS = """
python rust golang javascript typescript web css html http security release
announcement tutorial howto performance testing ci devops docker kubernetes
linux macos windows database sql postgres sqlite caching networking dns
email rss atom markdown yaml json api design ux accessibility community
conference meetup interview opinion review hardware embedded audio podcast
""".split()  # noqa: SIM905 (reads better than a list literal)

CODE_LINES = [
    "import sys",
    "from pathlib import Path",
    "def main(argv=None):",
    "    config = load_config(Path(argv[0]))",
    "    for entry in sorted(entries, key=sort_key):",
    "        print(entry.title, entry.date)",
    "    return 0",
    'if __name__ == "__main__":',
    "    raise SystemExit(main())",
    "$ feedpub build --root site/",
    "$ ls -l output/",
    "const items = await fetch(url).then((r) => r.json());",
    "SELECT id, title FROM entries ORDER BY date DESC LIMIT 20;",
    'fn main() { println!("{}", render(&input)); }',
    "# comment: keep this in sync with the schema",
    "    if not items: continue  # nothing to do",
    "cache = {key: value for key, value in pairs}",
    '<link rel="alternate" type="application/atom+xml" href="/atom.xml">',
]
CODE_LANGS = ["python", "console", "js", "sql", "rust", ""]


def quote(text: str) -> str:
    """Return ``text`` as a YAML double-quoted scalar.

    JSON string syntax is a subset of YAML's double-quoted style, so this is
    always safe to load and much faster than ``yaml.safe_dump`` per scalar.
    """
    return json.dumps(text, ensure_ascii=False)


def literal_block(text: str) -> str:
    """Indent ``text`` by two spaces for a ``|`` block, leaving blank lines empty."""
    return "\n".join("  " + line if line else "" for line in text.split("\n"))


class SiteGenerator:
    """Produce entry files in index order from a single seeded ``Random``."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._slugs: set[str] = set()
        self._plain = [self._sentence(markup=False) for _ in range(2000)]
        self._rich = [self._sentence(markup=True) for _ in range(4000)]

    def _sentence(self, *, markup: bool) -> str:
        rng = self._rng
        words = rng.choices(WORDS, k=rng.randint(6, 18))
        words[0] = words[0].capitalize()
        if markup:
            # ~40% of sentences carry one inline element: about five links,
            # five code spans and ten emphases per post, like typical prose.
            i = rng.randrange(len(words))
            roll = rng.random()
            if roll < 0.12:
                words[i] = f"*{words[i]}*"
            elif roll < 0.20:
                words[i] = f"**{words[i]}**"
            elif roll < 0.30:
                words[i] = f"`{rng.choice(IDENTIFIERS)}`"
            elif roll < 0.40:
                path = "/".join(rng.choices(WORDS, k=rng.randint(1, 3)))
                words[i] = f"[{words[i]}]({rng.choice(LINK_HOSTS)}/{path})"
        return " ".join(words) + rng.choice(".....?!")

    def _title(self) -> str:
        rng = self._rng
        target = rng.randint(45, 75)
        words: list[str] = []
        length = -1
        while length < target:
            word = rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        return " ".join(words).capitalize()

    def _unique_slug(self, title: str) -> str:
        base = "-".join(title.lower().split())
        slug, n = base, 1
        while slug in self._slugs:
            n += 1
            slug = f"{base}-{n}"
        self._slugs.add(slug)
        return slug

    def _paragraph(self) -> str:
        return " ".join(self._rng.choices(self._rich, k=self._rng.randint(3, 7)))

    def _list(self, *, numbered: bool) -> str:
        items = self._rng.choices(self._rich, k=self._rng.randint(3, 6))
        if numbered:
            return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
        return "\n".join(f"- {item}" for item in items)

    def _code(self) -> str:
        rng = self._rng
        lines = rng.choices(CODE_LINES, k=rng.randint(4, 12))
        return "\n".join([f"```{rng.choice(CODE_LANGS)}", *lines, "```"])

    def _heading(self) -> str:
        words = self._rng.choices(WORDS, k=self._rng.randint(2, 5))
        level = "#" * self._rng.randint(2, 3)
        return f"{level} {' '.join(words).capitalize()}\n\n{self._paragraph()}"

    def _content(self) -> str:
        rng = self._rng
        target = rng.randint(3000, 5400)  # overshoot of one block keeps it <~6 KB
        blocks = [self._paragraph()]
        size = len(blocks[0])
        while size < target:
            roll = rng.random()
            if roll < 0.58:
                block = self._paragraph()
            elif roll < 0.70:
                block = self._list(numbered=False)
            elif roll < 0.80:
                block = self._list(numbered=True)
            elif roll < 0.90:
                block = self._code()
            else:
                block = self._heading()
            blocks.append(block)
            size += len(block) + 2
        return "\n\n".join(blocks)

    def _summary(self) -> str:
        target = self._rng.randint(230, 300)
        parts: list[str] = []
        size = -1
        while size < target:
            sentence = self._rng.choice(self._plain)
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)

    def entry(self, index: int, title: str | None = None) -> tuple[str, str]:
        """Return ``(filename, yaml_text)`` for entry ``index`` (0 is newest).

        A negative index yields a date after every generated entry, which is
        what the incremental benchmark needs for its "new post".
        """
        rng = self._rng
        title = title if title is not None else self._title()
        slug = self._unique_slug(title)
        jitter = timedelta(seconds=rng.randrange(MAX_JITTER_S))
        date = START - index * SPACING - jitter
        name, handle = rng.choice(AUTHORS)
        if rng.random() < 0.3:
            author = f"author: {{name: {quote(name)}, email: {quote(handle + '@example.org')}}}"
        else:
            author = f"author: {quote(name)}"
        tags = rng.sample(TAGS, rng.randint(1, 4))
        lines = [
            f"title: {quote(title)}",
            f"date: {quote(date.strftime('%Y-%m-%dT%H:%M:%SZ'))}",
            f"link: {quote(f'/posts/{slug}/')}",
            author,
            f"summary: {quote(self._summary())}",
            f"tags: [{', '.join(quote(tag) for tag in tags)}]",
        ]
        if rng.random() < 0.10:
            lines += [
                "enclosures:",
                f"  - url: {quote(f'{SITE_URL}media/{slug}.mp3')}",
                "    type: audio/mpeg",
                f"    length: {rng.randint(1_000_000, 90_000_000)}",
            ]
        lines += ["content: |", literal_block(self._content())]
        return f"{date:%Y-%m-%d}-{slug}.yaml", "\n".join(lines) + "\n"


def config_text(*, limit: int = 0, archive: bool = False) -> str:
    """Return the ``feedpub.yaml`` contents for a benchmark site."""
    text = (
        "title: Synthetic benchmark site\n"
        "description: Generated entries for benchmarking\n"
        f"url: {SITE_URL}\n"
        "language: en\n"
        "author: Bench Author\n"
        "timezone: UTC\n"
        f"limit: {limit}\n"
        "formats: [atom, rss]\n"
    )
    return text + ("archive: true\n" if archive else "")


def added_entry(seed: int = 1) -> tuple[str, str]:
    """Return ``(filename, yaml_text)`` of one entry newer than any generated one."""
    return SiteGenerator(seed + 1_000_003).entry(-1, title=ADDED_TITLE)


def _write_files(directory: str, files: list[tuple[str, bytes]]) -> None:
    """Create each file with bare syscalls; pathlib's buffered I/O costs more."""
    for name, data in files:
        fd = os.open(os.path.join(directory, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def generate(
    outdir: Path, *, entries: int, seed: int = 1, limit: int = 0, archive: bool = False
) -> int:
    """Write the site into ``outdir`` and return the number of bytes written.

    Refuses to write into a non-empty ``entries/`` directory, because stale
    files from a previous run would silently change the benchmark input.
    Creating ~100,000 files costs as much as generating them, so batches are
    written on a thread (file-system calls release the GIL) while the next
    batch is generated; all randomness stays on this thread, in order.
    """
    entries_dir = outdir / "entries"
    if entries_dir.is_dir() and any(entries_dir.iterdir()):
        raise FileExistsError(f"{entries_dir} is not empty; use a fresh OUTDIR")
    entries_dir.mkdir(parents=True, exist_ok=True)
    config = config_text(limit=limit, archive=archive).encode()
    (outdir / "feedpub.yaml").write_bytes(config)
    total = len(config)
    gen = SiteGenerator(seed)
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        for start in range(0, entries, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, entries)):
                filename, text = gen.entry(index)
                batch.append((filename, text.encode()))
                total += len(batch[-1][1])
            if pending is not None:
                pending.result()  # at most two batches in memory
            pending = writer.submit(_write_files, str(entries_dir), batch)
        if pending is not None:
            pending.result()
    return total


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--entries", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--limit", type=int, default=0, metavar="N")
    parser.add_argument("--archive", action="store_true")
    args = parser.parse_args(argv)
    if args.entries < 0:
        parser.error("--entries must be >= 0")
    start = time.perf_counter()
    try:
        size = generate(
            args.outdir,
            entries=args.entries,
            seed=args.seed,
            limit=args.limit,
            archive=args.archive,
        )
    except FileExistsError as exc:
        print(f"gen_site: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - start
    print(
        f"wrote {args.entries} entries ({size / 1e6:.1f} MB) to {args.outdir} in {elapsed:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
