"""The version of the installed ``sora-testkit`` distribution (the server and the kit)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sora-testkit")
except PackageNotFoundError:  # run from a folder that was never installed
    __version__ = "0+unknown"
