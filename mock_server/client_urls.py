"""The one judge of every URL a client names: image URLs, callback URLs, webhook targets.

A URL is read the way resolvers and browsers read it (the WHATWG URL standard's host parser), so
that no spelling of a private address passes for a public one: IPv4 written in decimal, octal,
hex or short dotted form (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``), a trailing
dot, percent-encoding, fullwidth dots and digits (IDNA mapping, ``127。0。0。1``, ``①②⑦.0.0.1``),
IPv6 with an IPv4 inside it (mapped, compatible, 6to4, Teredo, NAT64) and zone ids. What it
names is then classified against every special-purpose range (RFC 6890: loopback, private,
link-local, shared address space, reserved, multicast) and every local name (``localhost``,
single-label names such as ``metadata``, ``.local``, ``.internal``, ``.localhost``,
``.home.arpa``). Ambiguous URLs (a backslash, whitespace or control characters in them, a host
that is neither a name nor an address) are not URLs at all here: the caller refuses them.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mock_server import catalog

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: A host name once IDNA-encoded: labels of letters, digits and hyphens.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DECIMAL, _OCTAL, _HEX = (
    re.compile(r"^[0-9]+$"),
    re.compile(r"^[0-7]+$"),
    re.compile(r"^[0-9a-f]+$"),
)
#: Longer numbers than any address needs are refused before they are converted.
_MAX_NUMBER_DIGITS = 40
#: Characters no URL a client means may carry (browsers strip or reinterpret them).
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: IPv6 prefixes that carry an IPv4 address in their last 32 bits.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_COMPATIBLE = ipaddress.ip_network("::/96")
_SPECIAL = tuple(ipaddress.ip_network(block) for block in catalog.SPECIAL_NETWORKS)


class _NotAHost(ValueError):
    """The host is neither a valid name nor a valid address."""


@dataclass(frozen=True)
class ClientUrl:
    """An http(s) URL as the judge read it."""

    text: str
    scheme: str
    #: Canonical: ASCII, lower case, no trailing dot; an address in its standard form.
    host: str
    port: int
    path: str
    query: str
    #: The address the host is, however it was written; ``None`` for a name.
    address: Address | None

    @property
    def host_port(self) -> str:
        """``host:port`` (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _number(part: str) -> int | None:
    """One part of an IPv4 address: decimal, ``0``-prefixed octal or ``0x``-prefixed hex."""
    text, pattern, base = part, _DECIMAL, 10
    if text[:2] == "0x":
        text, pattern, base = text[2:], _HEX, 16
    elif len(text) > 1 and text[0] == "0":
        text, pattern, base = text[1:], _OCTAL, 8
    if text == "":
        return 0
    if len(text) > _MAX_NUMBER_DIGITS or not pattern.match(text):
        return None
    return int(text, base)


def _ends_in_a_number(parts: list[str]) -> bool:
    last = parts[-1]
    return bool(_DECIMAL.match(last)) or (last[:2] == "0x" and bool(_HEX.match(last[2:] or "0")))


def _ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host spells in any form, or ``None`` when it is a name."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not parts or not _ends_in_a_number(parts):
        return None
    numbers = [_number(part) for part in parts]
    if len(parts) > 4 or any(number is None for number in numbers):
        raise _NotAHost(host)
    values = [number for number in numbers if number is not None]
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise _NotAHost(host)
    total = values[-1] + sum(value * 256 ** (3 - index) for index, value in enumerate(values[:-1]))
    return ipaddress.IPv4Address(total)


def canonical_host(raw: str) -> tuple[str, Address | None]:
    """A URL's host as resolvers read it: its canonical text, and the address it is, if any."""
    host = unquote(raw)
    if host.startswith("[") or ":" in host:
        address6 = ipaddress.IPv6Address(host.strip("[]"))
        return address6.compressed, address6
    mapped = unicodedata.normalize("NFKC", host)
    try:
        ascii_host = mapped.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise _NotAHost(host) from exc
    address4 = _ipv4(ascii_host)
    if address4 is not None:
        return str(address4), address4
    name = ascii_host.removesuffix(".")
    if not name or not all(_LABEL.match(label) for label in name.split(".")):
        raise _NotAHost(host)
    return name, None


def parse_client_url(text: str) -> ClientUrl | None:
    """An http(s) URL with a valid host, or ``None`` for anything else (never an exception)."""
    if not isinstance(text, str) or _AMBIGUOUS.search(text):
        return None
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        port = parts.port
        host, address = canonical_host(parts.hostname)
    except ValueError:
        return None
    return ClientUrl(
        text,
        scheme,
        host,
        port if port is not None else _DEFAULT_PORTS[scheme],
        parts.path,
        parts.query,
        address,
    )


def _embedded(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The form of an IPv6 address that carries an IPv4 one, and that IPv4 address: mapped,
    compatible, 6to4, Teredo or NAT64."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    if any(address in network for network in _NAT64):
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _COMPATIBLE:
        return "IPv4-compatible", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _special_address(address: Address) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded(address)
        if embedded is not None and (reason := _special_address(embedded[1])) is not None:
            return f"{reason} (inside {address.compressed})"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        return "special-purpose"
    if any(address.version == block.version and address in block for block in _SPECIAL):
        return "special-purpose"
    return None


def special_host(url: ClientUrl) -> str | None:
    """Why a URL's host is not on the public internet, or ``None`` when it is public."""
    if url.address is not None:
        return _special_address(url.address)
    if "." not in url.host:
        return "a local name"
    if url.host in catalog.PRIVATE_HOST_NAMES or url.host.endswith(catalog.PRIVATE_HOST_SUFFIXES):
        return "a local name"
    return None


def is_loopback(url: ClientUrl) -> bool:
    """Whether a URL's host is this machine: what the kernel keeps on it (127.0.0.0/8,
    ``::1``, an IPv4-mapped loopback address) or a ``localhost`` name. The other IPv6 forms
    that carry 127.0.0.1 (6to4, NAT64, IPv4-compatible, Teredo) are routed off the machine."""
    address = url.address
    if address is not None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return address.ipv4_mapped.is_loopback
        return address.is_loopback
    return url.host == "localhost" or url.host.endswith(".localhost")


def _leaves_the_machine(url: ClientUrl) -> str | None:
    """For an IPv6 address that carries a loopback IPv4 address but is routed off the machine,
    what it is; else ``None``."""
    if not isinstance(url.address, ipaddress.IPv6Address):
        return None
    found = _embedded(url.address)
    if found is None or found[0] == "IPv4-mapped" or not found[1].is_loopback:
        return None
    article = "an" if found[0][0] in "AEIOU" else "a"
    return f"{article} {found[0]} address that carries {found[1]} but leaves this machine"


def _control_path(path: str) -> bool:
    """Whether a path reaches the control API, once decoded and normalised as a server would."""
    decoded = re.sub(r"/+", "/", unquote(path) or "/")
    normal = posixpath.normpath(decoded).lower()
    prefix = catalog.CONTROL_PREFIX
    return normal == prefix or normal.startswith(prefix + "/")


def allowed_host_names(allowed: tuple[str, ...]) -> frozenset[str]:
    """``--allow-host`` names in canonical form (those that are not hosts are dropped)."""
    names = set()
    for name in allowed:
        try:
            names.add(canonical_host(name.strip())[0])
        except ValueError:
            continue
    return frozenset(names)


def delivery_refusal(text: str, allowed: frozenset[str]) -> str | None:
    """Why a webhook or callback can never be delivered to a URL, or ``None`` when it can.

    The rule: an http(s) URL on loopback or on a host named by ``--allow-host``, and never a
    path of the control API (on any host: a delivery must not reset a mock).
    """
    url = parse_client_url(text)
    if url is None:
        return "it is not an http(s) URL with a valid host"
    if _control_path(url.path):
        return f"deliveries never go to the control API ({catalog.CONTROL_PREFIX}/)"
    if not is_loopback(url) and url.host not in allowed:
        form = _leaves_the_machine(url)
        if form is not None:
            return f"{url.host} is {form}: neither loopback nor named by --allow-host"
        return f"{url.host} is neither loopback nor named by --allow-host"
    return None
