"""feedpub: compile a folder of YAML entries into Atom, RSS and JSON feeds.

The public names are imported on first use so that ``feedpub --version``
and other quick commands do not pay for YAML, Markdown and XML libraries.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's own would cost every command its import

__version__ = "0.1.0"

_EXPORTS = {
    "BuildResult": "pipeline",
    "build": "pipeline",
    "render_site": "pipeline",
    "FeedpubError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "Problem": "errors",
    "StaleOutputError": "errors",
    "load_site": "load",
    "Config": "model",
    "Entry": "model",
    "Feed": "model",
    "Site": "model",
}
__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from .errors import FeedpubError as FeedpubError
    from .errors import InputError as InputError
    from .errors import OutputError as OutputError
    from .errors import Problem as Problem
    from .errors import StaleOutputError as StaleOutputError
    from .load import load_site as load_site
    from .model import Config as Config
    from .model import Entry as Entry
    from .model import Feed as Feed
    from .model import Site as Site
    from .pipeline import BuildResult as BuildResult
    from .pipeline import build as build
    from .pipeline import render_site as render_site


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'feedpub' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
