"""Images uploaded to the mock, served back by URL and usable as ``file_id``."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from mock_server import catalog
from mock_server.backend.database import SqliteDatabase


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


class SqliteAssetStore(AssetStore):
    """Uploaded assets in the database file."""

    def __init__(self, database: SqliteDatabase) -> None:
        super().__init__()
        self.database = database

    def _keep(self, asset: Asset) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO assets (id, data, content_type, filename, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (asset.id, asset.data, asset.content_type, asset.filename, asset.created_at),
            )

    def get(self, asset_id: str) -> Asset | None:
        row = (
            self.database.connection()
            .execute(
                "SELECT id, data, content_type, filename, created_at FROM assets WHERE id = ?",
                (asset_id,),
            )
            .fetchone()
        )
        return None if row is None else Asset(*row)

    def all(self) -> list[Asset]:
        rows = self.database.connection().execute(
            "SELECT id, data, content_type, filename, created_at FROM assets ORDER BY created_at"
        )
        return [Asset(*row) for row in rows]

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM assets")
