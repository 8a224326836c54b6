"""Send every call of a function to a replacement, however the caller got hold of it.

Patching a module attribute (``time.sleep = fake``) reaches only the code that looks the name up
on the module at call time. A client that bound the function earlier (``from time import
sleep``, a default argument ``sleep=time.sleep``, an attribute ``self.clock = time.monotonic``,
``from asyncio import sleep``) keeps the original. These redirects change the function object
itself, so every reference to it calls the replacement:

- :class:`BuiltinRedirect`, for a C function of a module (``time.sleep``, ``time.monotonic``):
  the function object's method table entry and ``self`` are pointed, in one write under the
  interpreter lock, at CPython's own ``PyObject_CallOneArg`` (or ``PyObject_CallObject``) and
  the replacement. What time-machine does in C for ``time.time``, done with ``ctypes``: the
  argument checks stay the builtin's own, and the replacement's exceptions reach the caller.
- :class:`CodeRedirect`, for a Python function (``asyncio.sleep``): its ``__code__`` is swapped
  for a trampoline to the replacement.
- :class:`AttributeRedirect`, the fallback where the interpreter is not one whose layout
  :func:`BuiltinRedirect.supported` recognises (PyPy, a free-threaded build): the module
  attribute only.

Each is started and stopped by its owner; :func:`redirect` picks the strongest that works.
"""

from __future__ import annotations

import ctypes
import functools
import inspect
import itertools
import sys
import types
from collections.abc import Callable
from typing import Any, Protocol

METH_NOARGS = 0x0004
METH_O = 0x0008


class Redirect(Protocol):
    """A redirect its owner starts and stops."""

    #: How it reaches callers: ``"builtin"``, ``"code"`` or ``"attribute"``.
    kind: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _MethodDef(ctypes.Structure):
    """CPython's ``PyMethodDef``: what a builtin function object calls."""

    _fields_ = (
        ("ml_name", ctypes.c_char_p),
        ("ml_meth", ctypes.c_void_p),
        ("ml_flags", ctypes.c_int),
        ("ml_doc", ctypes.c_void_p),
    )


#: ``PyCFunctionObject`` after the object header: ``m_ml``, then ``m_self`` (adjacent, so both
#: change in one copy).
_ML_OFFSET = object.__basicsize__
_POINTER = ctypes.sizeof(ctypes.c_void_p)
_PAIR = 2 * _POINTER


def _symbol(name: str) -> int | None:
    """The address of a function of the C API, or ``None`` where there is none."""
    api = getattr(ctypes, "pythonapi", None)
    if api is None:
        return None
    try:
        return ctypes.cast(getattr(api, name), ctypes.c_void_p).value
    except AttributeError:
        return None


#: The C API function that calls ``self`` as a builtin of each calling convention would be.
_CALLERS = {METH_O: "PyObject_CallOneArg", METH_NOARGS: "PyObject_CallObject"}


@functools.cache
def _locked_memmove() -> Callable[[int, int, int], Any]:
    """``memmove`` called holding the interpreter lock (``ctypes.memmove`` lets it go), so no
    Python thread can call a function while its two words change."""
    prototype = ctypes.PYFUNCTYPE(
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t
    )
    return prototype(ctypes._memmove_addr)  # type: ignore[attr-defined]


def _gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


class BuiltinRedirect:
    """Every call of the builtin ``function``, by any reference, goes to ``replacement``."""

    kind = "builtin"

    def __init__(self, function: Any, replacement: Callable[..., Any]) -> None:
        if not self.supported(function):
            raise TypeError(f"{function!r} cannot be redirected in place on this interpreter")
        self.function = function
        self.replacement = replacement
        original = self._words()
        definition = _MethodDef.from_address(original[0])
        caller = _symbol(_CALLERS[definition.ml_flags])
        #: The method table entry the function points at while redirected: the original's
        #: name, flags and doc (so its signature and argument checks are unchanged).
        self._definition = _MethodDef(
            definition.ml_name, caller, definition.ml_flags, definition.ml_doc
        )
        self._original: tuple[int, int] | None = None
        self._memmove = _locked_memmove()

    @staticmethod
    def supported(function: Any) -> bool:
        """Whether ``function`` is a module's C function of one argument or none, laid out as
        this build of CPython lays them out."""
        if sys.implementation.name != "cpython" or not _gil_enabled():
            return False
        if type(function) is not types.BuiltinFunctionType:
            return False
        owner = getattr(function, "__self__", None)
        if not isinstance(owner, types.ModuleType):
            return False
        address = id(function) + _ML_OFFSET
        table, self_ = (ctypes.c_void_p * 2).from_address(address)
        if not table or self_ != id(owner):
            return False
        definition = _MethodDef.from_address(table)
        return (
            definition.ml_name == function.__name__.encode()
            and definition.ml_flags in _CALLERS
            and _symbol(_CALLERS[definition.ml_flags]) is not None
        )

    def _words(self) -> tuple[int, int]:
        table, owner = (ctypes.c_void_p * 2).from_address(id(self.function) + _ML_OFFSET)
        return int(table or 0), int(owner or 0)

    def _write(self, table: int, owner: int) -> None:
        words = (ctypes.c_void_p * 2)(table, owner)
        self._memmove(id(self.function) + _ML_OFFSET, ctypes.addressof(words), _PAIR)

    def start(self) -> None:
        """Point the function at the replacement."""
        if self._original is not None:
            return
        self._original = self._words()
        # The function object now holds a reference to the replacement (the garbage collector
        # visits it as such); the module's reference it held is kept until :meth:`stop`.
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(self.replacement))
        self._write(ctypes.addressof(self._definition), id(self.replacement))

    def stop(self) -> None:
        """Point the function back at its own C code."""
        if self._original is None:
            return
        self._write(*self._original)
        self._original = None
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(self.replacement))


_hook_names = (f"__sora_testkit_redirect_{n}__" for n in itertools.count())

_TRAMPOLINES = {
    False: "def trampoline(*args, **kwargs):\n    return HOOK(*args, **kwargs)\n",
    True: "async def trampoline(*args, **kwargs):\n    return await HOOK(*args, **kwargs)\n",
}


@functools.cache
def _trampoline(is_async: bool) -> types.CodeType:
    """The code of a trampoline calling the global ``HOOK`` (renamed per redirect)."""
    namespace: dict[str, Any] = {}
    exec(compile(_TRAMPOLINES[is_async], "<sora_testkit redirect>", "exec"), namespace)
    code: types.CodeType = namespace["trampoline"].__code__
    assert code.co_names == ("HOOK",)
    return code


class CodeRedirect:
    """Every call of the Python function ``function`` goes to ``replacement``.

    The function keeps its identity, globals and defaults; its code becomes a trampoline that
    looks the replacement up under a private name in the function's module.
    """

    kind = "code"

    def __init__(self, function: types.FunctionType, replacement: Callable[..., Any]) -> None:
        if function.__closure__:
            raise TypeError(f"{function!r} has a closure: its code cannot be swapped")
        self.function = function
        self.replacement = replacement
        self.original_code = function.__code__
        self._hook = next(_hook_names)
        self._code = _trampoline(inspect.iscoroutinefunction(function)).replace(
            co_names=(self._hook,), co_name=self.original_code.co_name
        )
        self._active = False

    def original(self) -> types.FunctionType:
        """A twin of the function running its own code, untouched by the redirect."""
        function = self.function
        twin = types.FunctionType(
            self.original_code,
            function.__globals__,
            function.__name__,
            function.__defaults__,
            function.__closure__,
        )
        twin.__kwdefaults__ = function.__kwdefaults__
        return twin

    def start(self) -> None:
        """Swap the trampoline in."""
        if self._active:
            return
        self.function.__globals__[self._hook] = self.replacement
        self.function.__code__ = self._code
        self._active = True

    def stop(self) -> None:
        """Give the function its own code back."""
        if not self._active:
            return
        self.function.__code__ = self.original_code
        self.function.__globals__.pop(self._hook, None)
        self._active = False


class AttributeRedirect:
    """``owner.name`` replaced: only callers that look the name up when they call see it."""

    kind = "attribute"

    def __init__(self, owner: Any, name: str, replacement: Callable[..., Any]) -> None:
        self.owner, self.name, self.replacement = owner, name, replacement
        self._saved: Any = None
        self._active = False

    def start(self) -> None:
        if self._active:
            return
        self._saved = getattr(self.owner, self.name)
        setattr(self.owner, self.name, self.replacement)
        self._active = True

    def stop(self) -> None:
        if not self._active:
            return
        setattr(self.owner, self.name, self._saved)
        self._active = False


def redirect(owner: Any, name: str, replacement: Callable[..., Any]) -> Redirect:
    """The strongest redirect of ``owner.name`` this interpreter allows."""
    function = getattr(owner, name)
    if BuiltinRedirect.supported(function):
        return BuiltinRedirect(function, replacement)
    if isinstance(function, types.FunctionType) and not function.__closure__:
        return CodeRedirect(function, replacement)
    return AttributeRedirect(owner, name, replacement)
