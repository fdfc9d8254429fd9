"""feedpub: compile a folder of YAML entries into Atom, RSS and JSON feeds.

The public names load on first use (PEP 562), so ``feedpub --version`` and
a build with nothing to do never import YAML, Markdown or XML libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "BuildResult": "builder.pipeline",
    "build": "builder.pipeline",
    "render_site": "builder.pipeline",
    "FeedpubError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "Problem": "errors",
    "StaleOutputError": "errors",
    "load_site": "read.site",
    "Config": "model",
    "Entry": "model",
    "Feed": "model",
    "Site": "model",
}
__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from .builder.pipeline import BuildResult as BuildResult
    from .builder.pipeline import build as build
    from .builder.pipeline import render_site as render_site
    from .errors import FeedpubError as FeedpubError
    from .errors import InputError as InputError
    from .errors import OutputError as OutputError
    from .errors import Problem as Problem
    from .errors import StaleOutputError as StaleOutputError
    from .model import Config as Config
    from .model import Entry as Entry
    from .model import Feed as Feed
    from .model import Site as Site
    from .read.site import load_site as load_site


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'feedpub' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
