"""Readable ASCII slugs for entry file names.

File names end up in shell commands, URLs and default ids, so they are kept
to ``a-z0-9-``: accents are dropped (``Été à Paris`` -> ``ete-a-paris``),
letters that Unicode does not decompose are spelled out (``œ`` -> ``oe``),
and everything else separates words.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 60
"""Long titles are cut at a word boundary: file names should stay typeable."""
FALLBACK = "entry"
"""The slug of a title with no Latin letters or digits at all (e.g. ``日本語``)."""

# Letters NFKD leaves whole (they are not "letter + accent"), spelled the way
# their languages transliterate them.
_SPELLED = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ẞ": "SS",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ł": "l",
        "Ł": "L",
        "\u0131": "i",  # dotless i (Turkish)
        "ħ": "h",
        "Ħ": "H",
        "ŋ": "ng",
        "Ŋ": "NG",
        "ĸ": "k",
    }
)
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """``title`` as lowercase ASCII words joined by hyphens; never empty."""
    spelled = unicodedata.normalize("NFKD", title.translate(_SPELLED))
    # Accents go (e + U+0301 -> e); any other non-ASCII character separates words.
    bare = "".join(c for c in spelled if not unicodedata.combining(c)).lower()
    slug = _SEPARATORS.sub("-", bare).strip("-")
    if len(slug) > MAX_LENGTH:
        cut = slug[: MAX_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:MAX_LENGTH]
        slug = slug.strip("-")
    return slug or FALLBACK
