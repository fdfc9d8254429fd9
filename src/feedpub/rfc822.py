"""RSS dates (RFC 822, as updated by RFC 1123), without importing the email package.

``email.utils.format_datetime`` gives the same text, but importing the
email package costs more than a small incremental build's own work; a
test checks both agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822(moment: datetime) -> str:
    """``Fri, 27 Feb 2026 09:30:00 +0100``: the time as written, with its offset."""
    day = _DAYS[moment.weekday()]
    month = _MONTHS[moment.month - 1]
    offset = moment.utcoffset()
    zone = _ZONES.get(offset)
    if zone is None:
        zone = moment.strftime("%z")  # a few microseconds: once per offset
        if len(_ZONES) < 64:
            _ZONES[offset] = zone
    return (
        f"{day}, {moment.day:02d} {month} {moment.year:04d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {zone}"
    )


_ZONES: dict[timedelta | None, str] = {}
"""UTC offset -> how %z writes it (the offset alone decides)."""
