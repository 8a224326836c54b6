"""The URL judge: every spelling of a special-purpose host is seen through, none passes as public."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server import create_app
from mock_server.client_urls import is_loopback, parse_client_url, special_host
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error

#: Hosts seen accepted as public before the judge read them as a resolver does.
ENCODED_SPECIAL_HOSTS = [
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("localhost.", "localhost"),
    ("LocalHost.", "localhost"),
    ("127.0.0.1.", "127.0.0.1"),
    ("printer.local.", "printer.local"),
    ("x.internal.", "x.internal"),
    ("0251.0376.0251.0376", "169.254.169.254"),
    ("2852039166", "169.254.169.254"),
    ("127。0。0。1", "127.0.0.1"),
    ("①②⑦.0.0.1", "127.0.0.1"),
    ("metadata", "metadata"),
    ("100.64.0.1", "100.64.0.1"),
    ("127%2E0%2E0%2E1", "127.0.0.1"),
    ("\uff11\uff12\uff17.\uff10.\uff10.\uff11", "127.0.0.1"),  # fullwidth digits
    ("0x7f.1", "127.0.0.1"),
    ("0300.0250.0.1", "192.168.0.1"),
    ("10.1", "10.0.0.1"),
    ("metadata.google.internal", "metadata.google.internal"),
    ("box.home.arpa", "box.home.arpa"),
    ("app.localhost", "app.localhost"),
]

#: The same special-purpose addresses in IPv6: mapped, compatible, 6to4, NAT64, native.
IPV6_TWINS = [
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[2002:7f00:1::]",
    "[64:ff9b::7f00:1]",
    "[::ffff:169.254.169.254]",
    "[::ffff:a9fe:a9fe]",
    "[2002:a9fe:a9fe::1]",
    "[::ffff:100.64.0.1]",
    "[::ffff:10.0.0.1]",
    "[::ffff:192.168.0.1]",
    "[::ffff:0.0.0.0]",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[fe80::1%25eth0]",
    "[fc00::1]",
    "[fd12:3456::1]",
    "[ff02::1]",
    "[2001:db8::1]",
]


@pytest.mark.parametrize(("host", "canonical"), ENCODED_SPECIAL_HOSTS)
def test_every_spelling_of_a_special_host_is_seen_through(host: str, canonical: str) -> None:
    for url in (
        f"http://{host}/ref.png",
        f"https://{host}:8443/ref.png?x=1",
        f"http://user:pw@{host}/ref.png",
        f"http://public.example@{host}/ref.png",
        f"http://{host}/ref.png#@public.example",
    ):
        parsed = parse_client_url(url)
        assert parsed is not None, url
        assert parsed.host == canonical, url
        assert special_host(parsed) is not None, url


@pytest.mark.parametrize("host", IPV6_TWINS)
def test_every_ipv6_twin_is_special(host: str) -> None:
    parsed = parse_client_url(f"http://{host}:8080/ref.png")
    assert parsed is not None and parsed.address is not None, host
    assert special_host(parsed) is not None, host


@pytest.mark.parametrize(
    "url",
    [
        "https://images.example.com/ref.png",
        "http://8.8.8.8/x",
        "http://[2606:4700:4700::1111]/x",
        "https://xn--mnchen-3ya.de/x",
        "https://münchen.de/x",
        "http://93.184.216.34:8080/x",
        "http://1.1/x",  # 1.0.0.1
    ],
)
def test_public_hosts_stay_public(url: str) -> None:
    parsed = parse_client_url(url)
    assert parsed is not None, url
    assert special_host(parsed) is None, url


@pytest.mark.parametrize(
    "url",
    [
        "http://public.example\\@127.0.0.1/",  # a browser reads public.example, Python 127.0.0.1
        "http://127.0.0.1 /x",
        "http://exa mple.com/x",
        "http://example.com/x\n",
        "ftp://example.com/x",
        "http://256.1.1.1/x",
        "http://1.2.3.4.5/x",
        "http://0x1g.0.0.1/x",
        "http://09.0.0.1/x",
        "http://" + "9" * 500 + "/x",
        "http://[::1/x",
        "http://example.com:99999/x",
        "http://under_score.example.com/x",
        "http://-bad-.example.com/x",
        "http:///x",
        "javascript:alert(1)",
        "",
    ],
)
def test_ambiguous_or_malformed_urls_are_not_urls(url: str) -> None:
    assert parse_client_url(url) is None


def test_loopback_in_any_spelling_is_loopback() -> None:
    for host in ("127.0.0.1", "2130706433", "127.1", "[::1]", "[::ffff:127.0.0.1]", "localhost."):
        parsed = parse_client_url(f"http://{host}:9/hook")
        assert parsed is not None and is_loopback(parsed), host
    parsed = parse_client_url("http://10.0.0.1/hook")
    assert parsed is not None and not is_loopback(parsed)


@pytest.mark.parametrize(
    "host",
    [
        "[2002:7f00:1::]",  # 6to4
        "[64:ff9b::127.0.0.1]",  # NAT64
        "[64:ff9b:1::7f00:1]",  # local-use NAT64
        "[::127.0.0.1]",  # IPv4-compatible
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv6_forms_that_carry_loopback_but_leave_the_machine_are_not_loopback(host: str) -> None:
    """Only what the kernel keeps on the machine is loopback: these are routed out through
    the network interface, though each carries 127.0.0.1."""
    parsed = parse_client_url(f"http://{host}:9/hook")
    assert parsed is not None and not is_loopback(parsed), host
    assert special_host(parsed) is not None  # still never a public address


# --- the property: no encoding of a special-purpose address is ever public ----------------------

#: IANA's IPv4 special-purpose blocks (RFC 6890 and its updates), and multicast.
SPECIAL_NETWORKS = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
]


@st.composite
def special_ipv4(draw: st.DrawFn) -> ipaddress.IPv4Address:
    network = ipaddress.IPv4Network(draw(st.sampled_from(SPECIAL_NETWORKS)))
    return network[draw(st.integers(0, network.num_addresses - 1))]


def _part(value: int, style: str) -> str:
    return {"dec": str(value), "oct": "0" + format(value, "o"), "hex": hex(value)}[style]


@st.composite
def spellings(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    """One of the ways a resolver or browser reads as this address."""
    value = int(address)
    octets = list(address.packed)
    style = st.sampled_from(["dec", "oct", "hex"])
    form = draw(st.sampled_from(["dotted", "one", "two", "three", "ipv6", "fullwidth"]))
    if form == "one":
        text = _part(value, draw(style))
    elif form == "two":
        text = f"{_part(octets[0], draw(style))}.{_part(value & 0xFFFFFF, draw(style))}"
    elif form == "three":
        parts = (octets[0], octets[1], value & 0xFFFF)
        text = ".".join(_part(part, draw(style)) for part in parts)
    elif form == "ipv6":
        prefix = draw(st.sampled_from(["::ffff:", "64:ff9b::"]))
        return f"[{prefix}{address}]"
    else:
        text = ".".join(_part(octet, draw(style)) for octet in octets)
    if form == "fullwidth":
        text = text.replace(".", draw(st.sampled_from(["\u3002", "\uff0e", "\uff61"])))
    if draw(st.booleans()):
        text += "."
    return text


@given(data=st.data())
def test_no_spelling_of_a_special_address_is_ever_public(data: st.DataObject) -> None:
    address = data.draw(special_ipv4())
    host = data.draw(spellings(address))
    prefix = data.draw(st.sampled_from(["", "user@", "public.example@", "a:b@"]))
    url = f"http://{prefix}{host}:{data.draw(st.integers(1, 65535))}/x"
    parsed = parse_client_url(url)
    assert parsed is not None, url
    assert special_host(parsed) is not None, (url, parsed)


@pytest.mark.parametrize(("host", "canonical"), ENCODED_SPECIAL_HOSTS[:17])
def test_each_once_accepted_spelling_is_refused_as_an_image_url(host: str, canonical: str) -> None:
    """Over HTTP, as a client sends them: the 17 spellings once taken for public hosts."""
    app = create_app({"background_worker": False})
    with httpx_client(app, headers=AUTH) as http:
        body = {"prompt": "x", "input_reference": {"image_url": f"http://{host}/ref.png"}}
        assert_openai_error(
            http.post("/v1/videos", json=body),
            400,
            "input_reference.url_private",
            f"Invalid input_reference.image_url: the host '{canonical}' is private; "
            "use a public URL.",
            param="input_reference",
            code="invalid_value",
        )
