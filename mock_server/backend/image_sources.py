"""Turning a reference source (upload, data: URL, asset id, URL) into image bytes (SPEC 5.2).

The mock never reaches the internet: its own asset URLs and ``data:`` URLs give the real image,
private hosts are refused, presigned URLs past their expiry (on the mock clock) are refused,
presigned URLs that claim a life longer than seven days (which no store signs) cannot be fetched,
hosts under ``.invalid`` and URLs or hosts registered as unreachable cannot be fetched, and any
other public URL stands for a placeholder image of the requested size.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote_to_bytes

from PIL import Image

from mock_server import catalog
from mock_server.backend.assets import AssetStore
from mock_server.backend.shared_values import SharedValueFactory, memory_values
from mock_server.client_urls import parse_client_url, special_host
from mock_server.domain import FileRef, ImageUrl, ReferenceSource, UploadedFile
from mock_server.rules import reference
from mock_server.rules.registry import RuleViolation

ASSET_PATH_PREFIX = f"{catalog.CONTROL_PREFIX}/assets/"


def decode_data_url(url: str, limit: int) -> bytes:
    """The bytes of a ``data:[<type>][;base64],<data>`` URL."""
    header, comma, payload = url.partition(",")
    if not comma:
        raise RuleViolation(reference.URL_INVALID, param=reference.PARAM, reason="data_url")
    if len(payload) * 3 // 4 > limit + 3:
        reference.check_byte_size(len(payload) * 3 // 4, limit)
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise RuleViolation(
            reference.URL_INVALID, param=reference.PARAM, reason="data_url"
        ) from exc


UNREACHABLE_SUFFIX = ".invalid"


def presigned_expiry(query: str) -> float | None:
    """When a presigned URL expires: ``X-Amz-Date`` + ``X-Amz-Expires`` (or ``X-Goog-*``),
    or an ``Expires=`` unix time; ``None`` when the URL is not presigned or says nonsense."""
    params = {key.lower(): value for key, value in parse_qsl(query)}
    try:
        for prefix in ("x-amz-", "x-goog-"):
            signed, lifetime = params.get(prefix + "date"), params.get(prefix + "expires")
            if signed and lifetime:
                start = datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                return start.timestamp() + int(lifetime)
        if "expires" in params:
            return float(params["expires"])
    except (ValueError, OverflowError):
        return None  # nonsense, or a lifetime past the end of time: never expires
    return None


def presigned_lifetime(query: str) -> int | None:
    """The lifetime an ``X-Amz-Expires`` or ``X-Goog-Expires`` claims, in seconds; ``None``
    when there is none or it is not a number. A number of more than 18 digits (past any
    store's limit, and past what ``int`` may parse) counts as 10**18."""
    params = {key.lower(): value for key, value in parse_qsl(query)}
    for name in ("x-amz-expires", "x-goog-expires"):
        value = params.get(name, "")
        if value.isascii() and value.isdigit():
            digits = value.lstrip("0") or "0"
            return int(digits) if len(digits) <= 18 else 10**18
    return None


def outlives_any_signature(query: str) -> bool:
    """A presigned URL that claims a life longer than any store signs for: never fetchable."""
    lifetime = presigned_lifetime(query)
    return lifetime is not None and lifetime > catalog.PRESIGNED_MAX_SECONDS


@functools.lru_cache(maxsize=16)
def placeholder_image(width: int, height: int) -> bytes:
    """A PNG of the requested size standing in for an image on the internet."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (96, 112, 128)).save(out, "PNG", compress_level=1)
    return out.getvalue()


class ImageResolver:
    """Resolves reference sources against the mock's own asset store."""

    def __init__(
        self,
        assets: AssetStore,
        limit: int,
        now: Callable[[], float],
        shared: SharedValueFactory = memory_values,
    ) -> None:
        self.assets = assets
        self.limit = limit
        self.now = now
        #: ``{"urls": [...], "hosts": [...]}`` registered as unreachable.
        self._unreachable = shared("unreachable", lambda: {"urls": [], "hosts": []})

    def mark_unreachable(self, *, url: str | None = None, host: str | None = None) -> None:
        """Make a URL, or every URL on a host, impossible to fetch."""

        def add(registered: dict[str, list[str]]) -> None:
            for kind, value in (
                ("urls", url and url.strip()),
                ("hosts", host and host.strip().lower()),
            ):
                if value and value not in registered[kind]:
                    registered[kind].append(value)

        self._unreachable.update(add)

    def unreachable(self) -> dict[str, list[str]]:
        """What was registered as unreachable."""
        registered = self._unreachable.read()
        return {"urls": sorted(registered["urls"]), "hosts": sorted(registered["hosts"])}

    def clear(self) -> None:
        """Forget every registration."""
        self._unreachable.reset()

    def _is_unreachable(self, url: str, host: str) -> bool:
        if host.endswith(UNREACHABLE_SUFFIX):
            return True
        registered = self._unreachable.read()
        return host in registered["hosts"] or url in registered["urls"]

    def _asset(self, asset_id: str) -> bytes:
        asset = self.assets.get(asset_id)
        if asset is None:
            raise RuleViolation(reference.FILE_NOT_FOUND, param=reference.PARAM, file_id=asset_id)
        return asset.data

    def resolve(self, source: ReferenceSource, width: int, height: int) -> bytes:
        """The image bytes a source stands for."""
        if isinstance(source, UploadedFile):
            return source.data
        if isinstance(source, FileRef):
            return self._asset(source.file_id)
        return self._from_url(source, width, height)

    def _from_url(self, source: ImageUrl, width: int, height: int) -> bytes:
        url = source.url.strip()
        if url[:5].lower() == "data:":
            return decode_data_url(url, self.limit)
        parts = parse_client_url(url)
        if parts is None:
            raise RuleViolation(reference.URL_INVALID, param=reference.PARAM, reason="scheme")
        if parts.path.startswith(ASSET_PATH_PREFIX):
            asset_id = parts.path[len(ASSET_PATH_PREFIX) :].split("/")[0]
            return self._asset(asset_id)
        if special_host(parts) is not None:
            raise RuleViolation(reference.URL_PRIVATE, param=reference.PARAM, host=parts.host)
        expiry = presigned_expiry(parts.query)
        if expiry is not None and expiry <= self.now():
            raise RuleViolation(reference.URL_EXPIRED, param=reference.PARAM, expired_at=expiry)
        if self._is_unreachable(url, parts.host) or outlives_any_signature(parts.query):
            raise RuleViolation(reference.URL_UNREACHABLE, param=reference.PARAM, url=url)
        return placeholder_image(width, height)
