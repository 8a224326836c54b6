"""The ``sora-mock`` command: ``sora-mock serve`` runs the mock as a local development server."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mock_server import catalog
from mock_server import settings as settings_module
from mock_server.backend.database import DatabaseUnavailable
from mock_server.serving import granian_server
from mock_server.settings import SettingsError
from mock_server.version import __version__


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0 lets the system pick a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 0 to 65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="sora-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"sora-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=port_number, default=8000, help="port (default 8000; 0 picks one)"
    )
    serve.add_argument(
        "--progression",
        choices=catalog.PROGRESSIONS,
        help=f"how jobs advance (default: {SERVE_DEFAULTS['progression']}: jobs finish on their "
        "own, so webhooks fire; the test fixtures default to polls)",
    )
    serve.add_argument(
        "--speed",
        type=float,
        help=f"time mode: divide real durations by this (default {SERVE_DEFAULTS['speed']:g})",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable); by default any key is accepted",
    )
    serve.add_argument("--concurrent-jobs", type=int, help="unfinished jobs per key (default 5)")
    serve.add_argument(
        "--rpm", type=int, dest="requests_per_minute", help="requests per minute per key (0: none)"
    )
    serve.add_argument(
        "--webhook-url",
        action="append",
        dest="webhook_urls",
        metavar="URL",
        help="deliver video.completed / video.failed events here (repeatable)",
    )
    serve.add_argument("--webhook-secret", help="whsec_... secret that signs webhooks")
    serve.add_argument(
        "--allow-host",
        action="append",
        dest="allowed_hosts",
        metavar="HOST",
        help="also deliver webhooks to this host (loopback is always allowed), and answer the "
        "control API under this name",
    )
    serve.add_argument(
        "--lenient-reference",
        action="store_true",
        default=None,
        help="accept a wrongly sized reference and fail the job later",
    )
    serve.add_argument(
        "--enable-true-1080p",
        action="store_true",
        dest="uniall_true_1080p",
        default=None,
        help="serve UniAll's sora2-pro-true-1080p model",
    )
    serve.add_argument(
        "--generatetask-rpm",
        type=int,
        dest="generatetask_requests_per_minute",
        help="generateTask requests per minute per key (default 60; 0: none)",
    )
    serve.add_argument(
        "--generatetask-concurrent",
        type=int,
        dest="generatetask_concurrent_jobs",
        help="unfinished generateTask tasks per key (default 10)",
    )
    serve.add_argument(
        "--generatetask-result-lifetime",
        type=int,
        dest="generatetask_result_lifetime",
        metavar="SECONDS",
        help="how long generateTask result URLs stay valid (default 1296000: the 15 days of "
        "APIXO's Sora 2 Pro page; its response-format page says 24 hours: 86400)",
    )
    serve.add_argument(
        "--azure-deployment",
        action="append",
        dest="azure_deployments",
        metavar="NAME=MODEL",
        help="an Azure deployment running sora-2, sora-2-pro or sora (repeatable); "
        "sora-2, sora-2-pro and sora are deployed under their own names as well",
    )
    serve.add_argument(
        "--no-default-deployments",
        action="store_false",
        dest="azure_default_deployments",
        default=None,
        help="deploy only what --azure-deployment names",
    )
    serve.add_argument(
        "--azure-rpm",
        type=int,
        dest="azure_requests_per_minute",
        help="Azure video job requests per minute per key (default 2; 0: none)",
    )
    serve.add_argument(
        "--azure-concurrent",
        type=int,
        dest="azure_concurrent_jobs",
        help="unfinished Azure jobs per deployment of a key (default 2; 0: none)",
    )
    serve.add_argument(
        "--db",
        metavar="PATH",
        help="keep jobs, the clock, assets, deliveries, the journal and control state "
        "in this SQLite file",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N worker processes (default 1), sharing the --db file "
        "(a temporary one without --db)",
    )
    serve.add_argument(
        "--read-timeout",
        type=float,
        metavar="SECONDS",
        help="close a connection silent this long while a request is read (default 30)",
    )
    serve.add_argument("--control-token", help="require this x-sora-mock-token on /_mock/")
    serve.add_argument(
        "--no-control-api",
        action="store_false",
        dest="control_api",
        default=None,
        help="switch the /_mock/ control API off",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser


#: What ``serve`` runs with unless a flag or a ``SORA_MOCK_*`` variable says otherwise: a
#: development server whose jobs finish on their own, whether or not anyone polls, so that
#: webhooks and callbacks fire and unfinished jobs do not hold the concurrency slots. The
#: documented durations divided by 20: a 4 s sora-2 video in about 3 s, the longest job
#: (12 s of sora-2-pro) in about 13 s. The test fixtures keep ``polls``, which is deterministic.
SERVE_DEFAULTS: dict[str, Any] = {"progression": "time", "speed": 20.0}


def with_serve_defaults(
    overrides: dict[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``overrides`` plus ``serve``'s own defaults for what neither they nor the environment set."""
    named = settings_module.from_environment(environ)
    unset = {k: v for k, v in SERVE_DEFAULTS.items() if k not in overrides and k not in named}
    return {**unset, **overrides}


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "progression",
        "speed",
        "api_keys",
        "concurrent_jobs",
        "requests_per_minute",
        "webhook_urls",
        "webhook_secret",
        "allowed_hosts",
        "lenient_reference",
        "control_token",
        "control_api",
        "uniall_true_1080p",
        "generatetask_requests_per_minute",
        "generatetask_concurrent_jobs",
        "generatetask_result_lifetime",
        "azure_deployments",
        "azure_default_deployments",
        "azure_requests_per_minute",
        "azure_concurrent_jobs",
        "db",
        "read_timeout",
    )
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def progression_line(progression: str, speed: float) -> str:
    """How jobs advance, in the words of the banner."""
    if progression == "time":
        return (
            f"time, the documented durations / {speed:g} (a 4 s sora-2 video in "
            f"{catalog.generation_seconds('sora-2', 4) / speed:.3g} s): jobs finish on their own"
        )
    return {
        "polls": "polls: one step per status read; a job nobody polls never finishes",
        "instant": "instant: jobs finish as they are created",
        "manual": "manual: jobs move only when the clock is advanced (POST /_mock/clock/advance)",
    }[progression]


def banner(base: str, progression: str, workers: int, speed: float = 1.0) -> str:
    """What ``serve`` prints once it listens."""
    lines = [
        f"sora-mock serving on {base}",
        f"  OpenAI base URL:  {base}/v1   (openai.OpenAI(base_url=..., api_key=...))",
        f"  UniAll:           POST {base}/v1/video/generations, GET {base}/v1/videos/gen_...",
        f"  generateTask:     POST {base}/api/v1/generateTask/sora-2-pro",
        f"  Azure OpenAI:     {base}/openai/v1   (or AzureOpenAI(azure_endpoint={base}))",
        f"  control API:      {base}/_mock/",
        f"  progression:      {progression_line(progression, speed)}",
    ]
    if workers > 1:
        lines.append(f"  workers:          {workers} processes sharing one database")
    return "\n".join(lines)


def address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def base_url(host: str, port: int) -> str:
    """The URL a server bound to ``host`` and ``port`` is reached at."""
    return f"http://{address(host, port)}"


def configure_logging(*, quiet: bool) -> None:
    """One line a request, in the server's own format, on standard output, and the server's
    warnings beside them."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Deliveries are logged in the server's own format (``sora_mock.deliveries``).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if quiet:
        # Failed deliveries are warnings: they still show.
        for name in ("sora_mock.requests", "sora_mock.deliveries"):
            logging.getLogger(name).setLevel(logging.WARNING)


def serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted."""
    configure_logging(quiet=args.quiet)
    if args.workers < 1:
        print("sora-mock: --workers must be at least 1", file=sys.stderr)
        return 2
    overrides = with_serve_defaults(_overrides(args))
    try:
        settings_module.load(overrides)  # every setting judged before any port is tried
    except SettingsError as exc:
        print(f"sora-mock: {exc}", file=sys.stderr)
        return 2
    exposed = not is_loopback(args.host)
    if exposed and not overrides.get("control_token") and overrides.get("control_api") is not False:
        overrides["control_api"] = False
        print(
            f"sora-mock: bound to {args.host}, so the control API is off; "
            "give --control-token to turn it on",
            flush=True,
        )
    return serve_granian(args, overrides)


def bind_error(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or ``None`` when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def serve_granian(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    """Serve from ``args.workers`` worker processes; several share one database."""
    problem = bind_error(args.host, args.port) if args.port else None
    if problem is not None:
        print(
            f"sora-mock: cannot listen on {address(args.host, args.port)}: {problem}",
            file=sys.stderr,
        )
        return 1
    with contextlib.ExitStack() as cleanup:
        if "db" not in overrides and args.workers > 1:
            folder = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="sora-mock-"))
            overrides["db"] = str(Path(folder) / "mock.sqlite3")
            print(
                f"sora-mock: the workers share a temporary database, {overrides['db']}, "
                "removed on exit; give --db PATH to keep jobs after a restart",
                flush=True,
            )
        try:
            settings = settings_module.load(overrides)
            if settings.db is not None:
                granian_server.prepare_database(settings)
        except (SettingsError, DatabaseUnavailable) as exc:
            print(f"sora-mock: {exc}", file=sys.stderr)
            return 2

        def ready(port: int) -> None:
            base = base_url(args.host, port)
            print(banner(base, settings.progression, args.workers, settings.speed), flush=True)

        master = os.getpid()
        try:
            granian_server.run(
                overrides,
                host=args.host,
                port=args.port,
                workers=args.workers,
                on_ready=ready,
                read_timeout=settings.read_timeout,
                join_database=settings.db is not None,
                quiet=args.quiet,
            )
        except SystemExit as exc:
            if os.getpid() != master:
                # A worker process leaving through this stack: the cleanup is the master's.
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(exc.code if isinstance(exc.code, int) else 1)
            if exc.code not in (0, None):
                print(f"sora-mock: the workers stopped with status {exc.code}", file=sys.stderr)
                return 1
        except (RuntimeError, OSError) as exc:
            print(f"sora-mock: {exc}", file=sys.stderr)
            return 2
        print("sora-mock stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sora-mock`` script."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
