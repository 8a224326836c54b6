"""What a request runs with: the request, the app's mock state, the caller's key, its route,
and what the journal will say about it.

The web core makes one :class:`Call` per request and holds it in a context variable for as long
as the request is answered; the views, the rules' callers and the journal read it through the
functions here (and :data:`request`, the request itself), never through a framework's globals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from werkzeug.local import LocalProxy
from werkzeug.wrappers import Request

from mock_server import contracts
from mock_server.wire.bodies import JSON_TYPES, MULTIPART_TYPES, ParsedBody

if TYPE_CHECKING:
    from mock_server.backend.limits import RateDecision
    from mock_server.state import MockState


class Call:
    """One request being answered, and what it did, for the journal and the log."""

    #: The dialect answering (chosen by the core), its route, the key.
    dialect: Any = None
    route: Any = None
    owner = ""
    #: The requests-per-minute decision, when a window counted the request.
    rate: RateDecision | None = None
    #: The rule that refused it, the fault status that answered it.
    rule: str | None = None
    fault: int | None = None
    #: What the body held and the contract it was held to.
    body_summary: Any = None
    request_contract: str | None = None
    #: The contract each body media type follows on the route; how the body met its own.
    request_contracts: Mapping[str, str] = MappingProxyType({})
    request_violations: Sequence[str] = ()
    #: The job it created or read, whether that showed it finished, a job whose results it
    #: used.
    journal_job: str | None = None
    journal_terminal: bool | None = None
    journal_uses: str | None = None
    _request: Request | None = None

    def __init__(
        self, environ: dict[str, Any], state: MockState, request_id: str, started: float
    ) -> None:
        # Only what every request has is set here; the rest keeps its class default until
        # the request says otherwise.
        self.environ = environ
        #: The method and the path, as Werkzeug's request reads them.
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        #: Whether a read counts as a client polling (a HEAD only asks about headers).
        self.status_read: bool = self.method != "HEAD"
        self.path = "/" + wsgi_text(environ.get("PATH_INFO") or "").lstrip("/")
        self.state = state
        self.request_id = request_id
        self.started = started

    @property
    def request(self) -> Request:
        """The request, built the first time something asks (a status read never does)."""
        if self._request is None:
            self._request = ApiRequest(self.environ)
        return self._request

    @property
    def full_path(self) -> str:
        """The path with its query, as the log shows it."""
        query = self.environ.get("QUERY_STRING")
        return f"{self.path}?{wsgi_text(query)}" if query else self.path


class ApiRequest(Request):
    """The request as the views see it: Werkzeug's, with no framework limits of its own
    (the body readers hold bodies to the mock's limits while they stream in)."""


def wsgi_text(value: str) -> str:
    """A WSGI environ string (bytes as latin-1) as the UTF-8 text it carries."""
    return value.encode("latin-1").decode(errors="replace")


_CALL: ContextVar[Call] = ContextVar("sora_mock_call")

#: The request being answered.
request: Request = cast(Request, LocalProxy(_CALL, "request"))


def begin(call: Call) -> Any:
    """Make ``call`` the current request; returns the token :func:`end` takes."""
    return _CALL.set(call)


def end(token: Any) -> None:
    """The request is answered."""
    _CALL.reset(token)


def current_call() -> Call:
    """The request being answered."""
    return _CALL.get()


def call_or_none() -> Call | None:
    """The request being answered, or ``None`` outside one (a background round)."""
    return _CALL.get(None)


def current_state() -> MockState:
    """The state of the app handling this request."""
    return _CALL.get().state


def owner() -> str:
    """The API key the request was made with (set by the guard)."""
    return _CALL.get().owner


def base_url() -> str:
    """The origin clients reach this server at: the configured one, else the request's."""
    call = _CALL.get()
    return (call.state.settings.public_base_url or call.request.host_url).rstrip("/")


def is_status_read() -> bool:
    """Whether this read counts as a client polling (a HEAD only asks about headers)."""
    return _CALL.get().status_read


def note_body(body: ParsedBody) -> None:
    """Record what the body held and how it met its route's request contract, for the journal."""
    call = _CALL.get()
    media_type = (MULTIPART_TYPES if body.multipart else JSON_TYPES)[0]
    contract = call.request_contracts[media_type]
    call.body_summary = body.summary
    call.request_contract = contract
    call.request_violations = contracts.violations(contract, body.instance)
