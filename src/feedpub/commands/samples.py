"""The text ``feedpub init`` writes for people to replace, in the site's language.

A French site must not start with an English description and sample entry
that readers would see if the author publishes before editing them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Samples:
    """Default description and example entry; ``{title}`` is the feed title."""

    description: str
    title: str
    summary: str
    content: str
    lang: str | None = None
    """Set when the texts are not in the site's language, so the entry says so."""


_EN = Samples(
    description="News from {title}",
    title="Hello, world",
    summary="{title} now has a feed.",
    content="""\
This is an example entry: edit it or delete it.

Each file in `entries/` is one entry. `title` and `date` are required, and an
entry needs a `summary` or `content` (Markdown). Create the next one with
`feedpub new "Its title"`, then run `feedpub build` to write the feeds to `output/`.
""",
)

_SAMPLES = {
    "en": _EN,
    "fr": Samples(
        description="Les nouvelles de {title}",
        title="Bonjour tout le monde",
        summary="{title} a maintenant un flux.",
        content="""\
Ceci est un exemple d'article : modifiez-le ou supprimez-le.

Chaque fichier de `entries/` est un article. `title` et `date` sont obligatoires,
et un article a besoin d'un `summary` ou d'un `content` (Markdown). Créez le
suivant avec `feedpub new "Son titre"`, puis lancez `feedpub build` pour écrire
les flux dans `output/`.
""",
    ),
    "de": Samples(
        description="Neuigkeiten von {title}",
        title="Hallo Welt",
        summary="{title} hat jetzt einen Feed.",
        content="""\
Dies ist ein Beispielbeitrag: Bearbeiten oder löschen Sie ihn.

Jede Datei in `entries/` ist ein Beitrag. `title` und `date` sind Pflicht, und
ein Beitrag braucht `summary` oder `content` (Markdown). Den nächsten legen Sie
mit `feedpub new "Sein Titel"` an; `feedpub build` schreibt die Feeds nach `output/`.
""",
    ),
    "es": Samples(
        description="Novedades de {title}",
        title="Hola, mundo",
        summary="{title} ya tiene un feed.",
        content="""\
Esta es una entrada de ejemplo: edítela o bórrela.

Cada archivo de `entries/` es una entrada. `title` y `date` son obligatorios, y
una entrada necesita `summary` o `content` (Markdown). Cree la siguiente con
`feedpub new "Su título"` y ejecute `feedpub build` para escribir los feeds en `output/`.
""",
    ),
}


def samples_for(language: str | None) -> Samples:
    """The texts for ``language`` (its primary subtag); for one without texts,
    the feed title as description and an example entry marked ``lang: en``."""
    if language is None:
        return _EN
    found = _SAMPLES.get(language.split("-", 1)[0].lower())
    if found is not None:
        return found
    return Samples("{title}", _EN.title, _EN.summary, _EN.content, lang="en")
