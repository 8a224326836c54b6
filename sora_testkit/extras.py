"""What the kit needs beyond the server: the ``kit`` extra, and a one-line stop without it.

``pip install sora-testkit`` installs the server. The pytest kit hands out SDK clients, draws
with Hypothesis, routes ``requests`` and runs a client clock: those packages come with
``pip install 'sora-testkit[kit]'``. A kit part used without them stops with one line that
names the package and that command, not a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType, TracebackType

#: The command that installs what the kit needs.
INSTALL = "pip install 'sora-testkit[kit]'"
#: Each module the kit imports from the ``kit`` extra, and the package that provides it.
KIT_MODULES = {
    "openai": "openai",
    "hypothesis": "hypothesis",
    "responses": "responses",
    "requests": "requests",
    "time_machine": "time-machine",
}
_KIT_ROOT = __name__.rpartition(".")[0]


def missing_message(module: str, needed_by: str) -> str:
    """The one line that says what is missing and how to install it."""
    return (
        f"{needed_by} needs the {KIT_MODULES.get(module, module)!r} package, which is not "
        f"installed: {INSTALL}"
    )


def require(module: str, needed_by: str) -> ModuleType:
    """``module``, or a ``ModuleNotFoundError`` whose message says how to install it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.partition(".")[0]:
            raise  # something the package itself needs: not ours to explain
        raise ModuleNotFoundError(missing_message(module, needed_by), name=exc.name) from None


def explain_missing(error: BaseException, tb: TracebackType | None) -> str | None:
    """The one line for a kit part that failed on a missing ``kit`` package, else ``None``.

    Only an import the kit made counts (the traceback passes through this package): a test's
    own ``import openai`` keeps its usual report. What needed it is the kit fixture or
    function the test called.
    """
    if not isinstance(error, ModuleNotFoundError):
        return None
    module = (error.name or "").partition(".")[0]
    if module not in KIT_MODULES:
        return None
    if str(error).endswith(INSTALL):
        return str(error)
    while tb is not None:  # the first kit frame on the way in: what the test asked for
        code = tb.tb_frame.f_code
        if tb.tb_frame.f_globals.get("__name__", "").startswith(_KIT_ROOT + "."):
            if code.co_name.startswith("sora_"):
                return missing_message(module, f"the {code.co_name} fixture")
            return missing_message(module, f"{code.co_qualname}()")
        tb = tb.tb_next
    return None
