"""Content format names, apart from the renderers so loading them is free."""

from typing import Literal

ContentFormat = Literal["markdown", "html", "text"]
CONTENT_FORMATS: tuple[ContentFormat, ...] = ("markdown", "html", "text")
