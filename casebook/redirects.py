"""Where a `next` parameter may send the browser: a path on this site, nothing else.

Browsers drop tabs and newlines from a Location and read a backslash as a slash, so
`/\t/evil.example` and `/\\evil.example` both mean `//evil.example` to them. A target is judged
the way a browser would read it: any control character refuses it outright (a newline in a
header is also a server error), backslashes become slashes, and what remains must be a path
without a scheme or host.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None, fallback: str) -> str:
    """Return `target` if it is a same-site path (backslashes as slashes, non-ASCII quoted), else `fallback`."""
    if not target or _CONTROL.search(target):
        return fallback
    path = target.replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return fallback
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return fallback
    # A header holds ASCII only: quote what is not (the browser decodes it back).
    return "".join(c if 0x20 < ord(c) < 0x7f else quote(c, safe="") for c in path)
