"""Requests as a client would send them: a dialect, a route and a JSON or multipart body."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from mock_server.rules import get as get_rule

FilePart = tuple[str, bytes, str]


def encode_multipart(
    fields: Mapping[str, str], files: Mapping[str, FilePart] | None = None
) -> tuple[bytes, str]:
    """A multipart/form-data body (text parts, then file parts) and its content type."""
    boundary = "sora-testkit-" + secrets.token_hex(8)
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, data, content_type) in (files or {}).items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        chunks.append(head.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 80:
        return f"{value[:40]}...<{len(value)} characters>"
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


@dataclass(frozen=True)
class ApiRequest:
    """One request to the API: JSON (``json``), multipart (``form`` and ``files``), or raw bytes
    as a hostile client writes them (``content`` with its ``content_type``)."""

    dialect: str
    method: str
    path: str
    json: Any = None
    form: Mapping[str, str] | None = None
    files: Mapping[str, FilePart] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = None

    @property
    def multipart(self) -> bool:
        """Whether the body is multipart/form-data."""
        return self.form is not None

    def send(self, client: httpx.Client) -> httpx.Response:
        """Send with an ``httpx.Client`` (its ``base_url`` and headers apply)."""
        if self.content is not None:
            headers = {"Content-Type": self.content_type or "application/octet-stream"}
            return client.request(self.method, self.path, content=self.content, headers=headers)
        if self.form is None:
            return client.request(self.method, self.path, json=self.json)
        body, content_type = encode_multipart(self.form, self.files)
        return client.request(
            self.method, self.path, content=body, headers={"Content-Type": content_type}
        )

    def sdk_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``client.videos.create`` of the official SDK (native and
        Azure's Sora 2)."""
        if self.dialect not in ("openai", "azure"):
            raise ValueError("only native and Azure requests map onto the SDK's videos.create")
        values: dict[str, Any] = dict(self.form if self.form is not None else self.json or {})
        for name, part in self.files.items():
            values[name] = part
        return values

    def __repr__(self) -> str:
        if self.content is not None:
            raw = self.content[:40] + (b"..." if len(self.content) > 40 else b"")
            return f"ApiRequest({self.method} {self.path}, {raw!r} <{len(self.content)} bytes>)"
        body = self.form if self.form is not None else self.json
        files = {name: f"<{part[0]}: {len(part[1])} bytes>" for name, part in self.files.items()}
        extra = f", files={files}" if files else ""
        return f"ApiRequest({self.method} {self.path}, {_short(body)!r}{extra})"


@dataclass(frozen=True)
class NearMiss:
    """A request one mistake away from valid, with the rule the mock must answer it by."""

    request: ApiRequest
    rule: str
    mistake: str

    @property
    def status(self) -> int:
        """The HTTP status the rule answers with."""
        return get_rule(self.rule).status
