"""Images uploaded to the mock, served back by URL and usable as ``file_id``."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from mock_server import catalog


@dataclass(frozen=True)
class Asset:
    """An uploaded file."""

    id: str
    data: bytes
    content_type: str
    filename: str | None
    created_at: float


class AssetStore:
    """Uploaded assets by id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._assets: dict[str, Asset] = {}

    def add(self, data: bytes, content_type: str, filename: str | None, now: float) -> Asset:
        """Store bytes and return the new asset."""
        asset = Asset(
            catalog.ID_PREFIX_FILE + secrets.token_hex(12), data, content_type, filename, now
        )
        self._keep(asset)
        return asset

    def _keep(self, asset: Asset) -> None:
        with self._lock:
            self._assets[asset.id] = asset

    def get(self, asset_id: str) -> Asset | None:
        """The asset with this id, or ``None``."""
        with self._lock:
            return self._assets.get(asset_id)

    def all(self) -> list[Asset]:
        """Every asset, oldest first."""
        with self._lock:
            return list(self._assets.values())

    def clear(self) -> None:
        """Forget every asset."""
        with self._lock:
            self._assets.clear()
