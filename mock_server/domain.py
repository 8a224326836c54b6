"""Dialect-neutral values that flow between the wire parsers, the rules and the backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    """An image sent inline: a multipart file part or a decoded ``data:`` URL."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class ImageUrl:
    """An image named by an http(s) URL."""

    url: str


@dataclass(frozen=True)
class FileRef:
    """An image named by the id of an asset stored on the mock."""

    file_id: str


ReferenceSource = UploadedFile | ImageUrl | FileRef


@dataclass(frozen=True)
class ReferenceImage:
    """A checked reference image: its bytes and what its header says."""

    data: bytes
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class RawCreate:
    """A create request as the wire delivered it, before any rule ran.

    ``fields`` holds the body's values with their wire types (JSON types, or strings from
    multipart); ``reference`` is the ``input_reference`` already told apart by form.
    """

    fields: dict[str, Any]
    reference: ReferenceSource | None = None
    multipart: bool = False


@dataclass(frozen=True)
class VideoRequest:
    """A create request that passed every rule."""

    prompt: str
    model: str
    seconds: int
    width: int
    height: int
    reference: ReferenceImage | None = None
    #: The failure the job is bound for, or ``None`` for success.
    failure_code: str | None = None
    slow: bool = False
    #: The native model whose generation time applies; ``None`` means ``model`` itself.
    base_model: str | None = None
    #: The Azure deployment the request named; ``None`` elsewhere.
    deployment: str | None = None
    #: How many videos to make (Azure's Sora 1 ``n_variants``).
    variants: int = 1

    @property
    def timing_model(self) -> str:
        """The native model whose generation time applies."""
        return self.base_model or self.model

    @property
    def size(self) -> str:
        """The size in the native ``WIDTHxHEIGHT`` form."""
        return f"{self.width}x{self.height}"
