"""The YAML text of an imported entry, laid out like ``feedpub new`` writes one.

The body goes in a ``content: |`` literal block so it stays readable and
editable; a body a literal block cannot hold exactly (control characters,
Unicode line separators) is written quoted instead, checked by reading it back.
"""

from __future__ import annotations

import yaml

from ..authoring import yaml_line
from .posts import Post

_WIDE = 1 << 30


def entry_yaml(post: Post, entry_id: str, source: str) -> str:
    """The entry file's text (without a schema line); ``source`` is named in a comment."""
    lines = [yaml_line("title", post.title), f"date: {post.when}\n"]
    if post.updated:
        lines.append(f"updated: {post.updated}\n")
    lines += [
        f"# Imported from {source}. The id is how feed readers recognise this entry:"
        " never change it.\n",
        yaml_line("id", entry_id),
    ]
    if post.link:
        lines.append(yaml_line("link", post.link))
    if len(post.authors) == 1:
        lines.append(yaml_line("author", post.authors[0]))
    elif post.authors:
        lines.append(f"author: {_flow(list(post.authors))}\n")
    if post.summary:
        lines.append(yaml_line("summary", post.summary))
    if post.tags:
        lines.append(f"tags: {_flow(list(post.tags))}\n")
    if post.image:
        lines.append(f"image: {_flow(dict(post.image))}\n")
    if post.lang:
        lines.append(yaml_line("lang", post.lang))
    if post.draft:
        lines.append("draft: true\n")
    lines.append(content_yaml(post.content))
    return "".join(lines)


def content_yaml(body: str) -> str:
    """``content:`` holding ``body`` exactly: a literal block when one can, else quoted."""
    if not body:
        return 'content: ""\n'
    indicator = "2" if body[0] in " \t" else ""
    block = f"content: |{indicator}\n" + "".join(
        f"  {line}\n" if line else "\n" for line in body.removesuffix("\n").split("\n")
    )
    if body.endswith("\n") and _reads_back(block, body):
        return block
    return yaml.safe_dump({"content": body}, allow_unicode=True, width=_WIDE)


def _reads_back(text: str, body: str) -> bool:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("content") == body


def _flow(value: list[str] | dict[str, str]) -> str:
    dumped = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, width=_WIDE, sort_keys=False
    )
    return dumped.rstrip("\n")
