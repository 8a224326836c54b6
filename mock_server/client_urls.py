"""Reading URLs that clients send, which may be anything."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

#: A host name once IDNA-encoded: labels of letters, digits and hyphens.
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(_HOST_NAME.match(ascii_host.lower()))


def split_url(text: str) -> SplitResult | None:
    """The parts of an http(s) URL with a valid host, or ``None`` for anything else.

    ``urlsplit`` and ``.hostname`` raise ``ValueError`` on some malformed input (a bracket
    left open, a port out of range); a client's URL must never turn into a 500.
    """
    try:
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        _ = parts.port
    except ValueError:
        return None
    return parts if _valid_host(parts.hostname) else None
