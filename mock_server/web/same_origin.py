"""What keeps a web page in a developer's browser away from the control API.

A page cannot read the control API's answers (they carry no CORS header), but it can send it
requests that need no preflight (a form post, a ``fetch`` without custom headers), and, by
DNS rebinding, make its own name point at 127.0.0.1 and then read what it likes. So the
control API answers only requests whose ``Host`` names this server (an IP address, a name no
one can register publicly such as ``localhost``, or an ``--allow-host`` name: a rebound name is
none of these), and takes changes only from a program (no ``Origin``) or from a page of its
own origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.datastructures import Headers

from mock_server.client_urls import allowed_host_names, canonical_host

#: Names no one can register in the public DNS, so no page's name can be rebound to them:
#: ``localhost`` (RFC 6761), ``.test`` (the kit's in-process origin, RFC 6761), ``.internal``
#: (ICANN's private-use name, as ``host.docker.internal``) and ``.local`` (mDNS) [CHOICE].
PRIVATE_NAMES = ("localhost", "test", "internal", "local")
#: What a browser's ``Sec-Fetch-Site`` says of a request from a page of another origin.
OTHER_SITES = frozenset({"cross-site", "same-site"})
#: Methods that change nothing.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def names_this_server(authority: str, allowed: tuple[str, ...]) -> bool:
    """Whether a ``Host`` value names this server rather than some other site's name."""
    try:
        hostname = urlsplit(f"http://{authority}").hostname
        host, address = canonical_host(hostname) if hostname else ("", None)
    except ValueError:
        return False
    if address is not None or host.rsplit(".", 1)[-1] in PRIVATE_NAMES:
        return True
    return bool(host) and host in allowed_host_names(allowed)


def other_origin(method: str, headers: Headers, authority: str) -> str | None:
    """The origin of a browser's change from another page, or ``None`` when it may go ahead."""
    if method in READS:
        return None
    origin = headers.get("Origin")
    site = headers.get("Sec-Fetch-Site", "").lower()
    if site in OTHER_SITES:
        return origin or site
    if origin is None:
        return None  # a program: browsers send Origin with every change
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != authority.lower():
        return origin
    return None
