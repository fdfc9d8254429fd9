"""The shipped JSON Schemas agree with the loader: same keys, good input passes,
and every bad-input case a schema can express is rejected by it too.

Files are parsed the way an editor's YAML 1.2 language server reads them
(``no`` is text, dates are strings), which is what the schemas are checked
against in practice; PyYAML's YAML 1.1 resolvers would turn dates into
``date`` objects and crash on ``2026-02-30`` before any schema could speak.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from feedpub.commands.schema import SCHEMA_KINDS, SchemaKind, load_schema
from feedpub.errors import InputError
from feedpub.model import FORMATS
from feedpub.read.config import CONFIG_KEYS
from feedpub.read.entry import ENTRY_KEYS
from feedpub.read.markup import CONTENT_FORMATS
from feedpub.read.site import load_site

from . import test_newsboat, test_parse_back
from .conftest import BASIC_CONFIG, REPO, MakeSite
from .test_bad_input import CONFIG_CASES, ENTRY_CASES
from .test_bad_input import GOOD as GOOD_ENTRY
from .test_cli import GOOD as CLI_ENTRY

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML with YAML 1.2 core booleans and no timestamps, like editors."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def editor_view(text: str | bytes) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)  # a SafeLoader subclass: no object tags


def validator(kind: SchemaKind) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(load_schema(kind)))


def errors(kind: SchemaKind, text: str | bytes) -> list[str]:
    return [e.message for e in validator(kind).iter_errors(editor_view(text))]


# -- the schemas themselves ------------------------------------------------------


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_schema_is_valid_draft_2020_12(kind: SchemaKind) -> None:
    schema = json.loads(load_schema(kind))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_schema_keys_are_the_loader_keys() -> None:
    entry = json.loads(load_schema("entry"))
    config = json.loads(load_schema("config"))
    assert tuple(entry["properties"]) == ENTRY_KEYS
    assert tuple(config["properties"]) == CONFIG_KEYS
    assert entry["required"] == ["title", "date"]
    assert config["required"] == ["title", "description", "url"]
    assert entry["properties"]["format"]["anyOf"][0]["enum"] == list(CONTENT_FORMATS)
    formats = config["properties"]["formats"]["anyOf"][0]["anyOf"]
    assert formats == [{"enum": list(FORMATS)}, {"type": "array", "items": {"enum": list(FORMATS)}}]
    nested = {
        "image": _object_keys(entry["properties"]["image"]),
        "source": _object_keys(entry["properties"]["source"]),
        "enclosure": _object_keys(entry["$defs"]["enclosure"]),
        "person": _object_keys(entry["$defs"]["person"]),
        "filenames": _object_keys(config["properties"]["filenames"]),
    }
    assert nested == {
        "image": ["url", "alt", "credit"],
        "source": ["title", "url"],
        "enclosure": ["url", "type", "length"],
        "person": ["name", "email", "url"],
        "filenames": list(FORMATS),
    }


def _object_keys(schema: dict[str, Any]) -> list[str]:
    """Property names of the one closed object among a schema's alternatives."""
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("type") == "object":
            assert option["additionalProperties"] is False
            return list(option["properties"])
    raise AssertionError(f"no object in {schema}")


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_key_has_help_text(kind: SchemaKind) -> None:
    schema = json.loads(load_schema(kind))
    assert [k for k, v in schema["properties"].items() if not v.get("description")] == []


def test_unknown_schema_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="choose from entry, config"):
        load_schema("feed")  # type: ignore[arg-type]


# -- good input passes -------------------------------------------------------------

EVERY_ENTRY_KEY = """\
title: Every key
date: 2026-02-28T23:59:59.5+05:30
updated: 2026-03-01t00:00z
id: urn:uuid:0e4b4b6c-8a5c-4bb1-9a9b-3c1f1b2f7a10
link: https://example.org/every/
author:
  - Ada <ada@example.org>
  - {name: Grace, email: grace@example.org, url: /grace/}
  - Plain Name
summary: 2026
content: "<p>Hi</p>"
format: html
tags: single
image: {url: /i.png, alt: An image, credit: ~}
source: {title: Elsewhere, url: "https://elsewhere.example/"}
lang: en-GB
draft: no
enclosures: {url: /a.mp3, type: audio/mpeg, length: "123"}
"""
LEAP_DAY_ENTRY = "title: Leap\ndate: 2024-02-29 08:00\ncontent: c\nsummary:\nlink:\n"
EVERY_CONFIG_KEY = """\
title: T
description: D
url: https://example.org/
base_url: https://cdn.example.org/feeds/
language: fr
author: {name: Ada, email: ada@example.org}
timezone: Europe/Paris
limit: 0
formats: json
filenames: {atom: feed.atom, rss: ~, json: "my feed.json"}
id: tag:example.org,2026:feed
icon: /icon.png
logo: https://example.org/logo.png
copyright: CC BY 4.0
hub: [https://hub.example.org/, "http://push.example.net/hub?x=1"]
index: false
"""

GOOD_ENTRIES = {
    "bad-input-good": GOOD_ENTRY,
    "cli-good": CLI_ENTRY,
    "rich": test_parse_back.RICH_ENTRY,
    "yaml11-words": "title: no\ndate: 2026-01-01\nsummary: 2026\ntags: [yes, off, 1.0]\n",
    "every-key": EVERY_ENTRY_KEY,
    "leap-day-and-nulls": LEAP_DAY_ENTRY,
    **{f"newsboat-{name}": text for name, text in test_newsboat.ENTRIES.items()},
    **{
        f"repo-{p.name}": p.read_text(encoding="utf-8")
        for p in sorted((REPO / "entries").glob("*.yaml"))
    },
}
GOOD_CONFIGS = {
    "basic": BASIC_CONFIG,
    "every-key": EVERY_CONFIG_KEY,
    "repo": (REPO / "feedpub.yaml").read_text(encoding="utf-8"),
}


@pytest.mark.parametrize("text", GOOD_ENTRIES.values(), ids=GOOD_ENTRIES.keys())
def test_good_entries_pass_schema_and_loader(make_site: MakeSite, text: str) -> None:
    assert errors("entry", text) == []
    load_site(make_site({"a.yaml": text}))  # raises if the loader disagrees


@pytest.mark.parametrize("text", GOOD_CONFIGS.values(), ids=GOOD_CONFIGS.keys())
def test_good_configs_pass_schema_and_loader(make_site: MakeSite, text: str) -> None:
    assert errors("config", text) == []
    load_site(make_site({"a.yaml": GOOD_ENTRY}, config=text))


# -- bad input fails ----------------------------------------------------------------

# Every case of the bad-input corpus is listed here or in SCHEMA_CANNOT, so a
# new case forces a decision.
SCHEMA_REJECTS = {
    "empty-file",
    "only-comments",
    "list-not-mapping",
    "scalar-not-mapping",
    "unknown-key",
    "unknown-nested-key",
    "missing-title",
    "missing-date",
    "no-content-summary-or-link",
    "impossible-date",
    "not-a-date",
    "bad-offset",
    "title-is-list",
    "title-is-mapping",
    "title-empty-string",
    "title-null",
    "javascript-link",
    "incomplete-url",
    "bad-email",
    "author-without-name",
    "bad-language",
    "bad-format",
    "draft-not-boolean",
    "control-character",
    "enclosure-missing-length",
    "enclosure-bad-type",
    "enclosure-negative-length",
    "enclosure-not-mapping",
    "image-without-url",
    "id-not-uri",
    "config-missing-url",
    "config-relative-url",
    "config-bad-format",
    "config-bad-limit",
    "config-typo",
    "config-filename-path",
}
SCHEMA_CANNOT = {
    "syntax-error": "not YAML: the editor's parser reports it",
    "tab-indent": "not YAML",
    "two-documents": "not one YAML document",
    "duplicate-key": "YAML parsers merge duplicate keys before a schema sees them",
    "updated-before-date": "compares two values",
    "python-tag": "YAML tags are resolved before validation",
    "custom-tag": "YAML tags are resolved before validation",
    "alias": "aliases are expanded before validation",
    "alias-inside-itself": "aliases are expanded before validation",
    "alias-bomb": "aliases are expanded before validation",
    "deep-nesting": "a parser limit",
    "not-utf8": "file encoding",
    "binary-file": "file encoding",
    "nul-bytes": "file encoding",
    "huge-file": "file size",
    "config-bad-timezone": "needs the time zone database; tzdata versions differ",
    "config-same-filenames": "compares two values",
}
ALL_CASES = [(case, text, "entry", expected) for case, text, expected in ENTRY_CASES] + [
    (case, text, "config", expected) for case, text, expected in CONFIG_CASES
]
_FIELD = re.compile(r"error: ([A-Za-z_]+)[.\[:]")


def test_every_bad_input_case_is_classified() -> None:
    ids = [case for case, *_ in ALL_CASES]
    assert SCHEMA_REJECTS.isdisjoint(SCHEMA_CANNOT)
    assert sorted(SCHEMA_REJECTS | set(SCHEMA_CANNOT)) == sorted(ids)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [(text, kind, expected) for case, text, kind, expected in ALL_CASES if case in SCHEMA_REJECTS],
    ids=[case for case, *_ in ALL_CASES if case in SCHEMA_REJECTS],
)
def test_schema_rejects_bad_input(text: str | bytes, kind: SchemaKind, expected: str) -> None:
    """Rejected for the same reason: the error is on the key feedpub names."""
    found = list(validator(kind).iter_errors(editor_view(text)))
    assert found != []
    match = _FIELD.search(expected)
    blamed = {_top_key(error) for error in found}
    assert (match.group(1) if match else None) in blamed, [e.message for e in found]


def _top_key(error: jsonschema.ValidationError) -> str | None:
    """The top-level key an error is about (None: the whole file)."""
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":
        return str(re.findall(r"'(\w+)'", error.message)[0])
    if error.validator == "additionalProperties":
        return str(re.findall(r"'(\w+)' was unexpected", error.message)[0])
    if error.validator == "anyOf":  # content or summary
        return "content"
    return None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: x\nsummary: s\ndate: 2025-02-29\n", "2025-02-29"),  # not a leap year
        ("title: x\nsummary: s\ndate: 2026-04-31\n", "2026-04-31"),
        ("title: x\nsummary: s\ndate: 2026-01-01T24:00\n", "2026-01-01T24:00"),
        ("title: x\nsummary: s\ndate: 0000-01-01\n", "0000-01-01"),
        ("title: x\nsummary: s\ndate: 2026-01-01\nlink: 'mailto:a@b.c'\n", "mailto:a@b.c"),
        ("title: x\nsummary: s\ndate: 2026-01-01\nlink: ' javascript:x'\n", "javascript:x"),
        ("title: x\nsummary: s\ndate: 2026-01-01\nformats: [atom]\n", "formats"),
        ("title: x\nsummary: ~\ndate: 2026-01-01\ncontent: ~\n", "content"),
    ],
    ids=[
        "not-a-leap-year",
        "april-31",
        "hour-24",
        "year-0",
        "mailto-link",
        "spaced-javascript-link",
        "config-key-in-entry",
        "null-content-and-summary",
    ],
)
def test_schema_and_loader_agree_on_edge_cases(
    make_site: MakeSite, text: str, expected: str
) -> None:
    assert errors("entry", text) != []
    with pytest.raises(InputError) as caught:
        load_site(make_site({"a.yaml": text}))
    assert expected in str(caught.value)


def test_config_hub_must_be_absolute_in_both(make_site: MakeSite) -> None:
    text = BASIC_CONFIG + "hub: [https://hub.example.org/, /relative/hub]\n"
    assert errors("config", text) != []
    with pytest.raises(InputError, match="hub"):
        load_site(make_site({"a.yaml": GOOD_ENTRY}, config=text))


def test_wheel_ships_the_schemas(tmp_path: Path) -> None:
    """What ``pip install feedpub`` gets, not just what the source tree has."""
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("feedpub-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for kind in SCHEMA_KINDS:
            shipped = archive.read(f"feedpub/schemas/{kind}.schema.json").decode("utf-8")
            assert shipped == load_schema(kind)
