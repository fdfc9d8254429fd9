"""WebSub hub links for RSS, which feedgen cannot write.

feedgen only emits the channel's ``atom:link rel="self"``; WebSub (W3C
Recommendation, section 4) also needs a ``rel="hub"`` link per hub.
"""

from __future__ import annotations

from ._template import attribute_value


def add_hub_links(shell: bytes, hubs: tuple[str, ...]) -> bytes:
    """Append one ``<atom:link rel="hub">`` per hub to the channel's metadata."""
    if not hubs:
        return shell
    at = shell.rindex(b"  </channel>")
    links = "".join(f'    <atom:link href="{attribute_value(hub)}" rel="hub"/>\n' for hub in hubs)
    return shell[:at] + links.encode("utf-8") + shell[at:]
