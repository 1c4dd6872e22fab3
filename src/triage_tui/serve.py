"""`triage-tui serve`: the same app in a browser via textual-serve, for screen-sharing.

textual-serve renders an HTML page and, for each browser that connects, runs
``python -m triage_tui ARGS`` in a subprocess whose screen it streams over a
websocket. Loopback only by default: the app can read and write the user's files.

The one address printed carries a secret made for this run (``/SECRET/``); the bare
address and any other path get 403 and start nothing. The WebSocket that drives the
app is refused unless its Origin is the served address (browsers apply no same-origin
rule to WebSockets: without this, any web page could drive the app). The served app
gets ``--out DIR``: it writes nowhere else.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from triage_tui.core.sanitize import shown

# Options of `triage-tui serve` that belong to the server, not to the served app.
_SERVER_OPTIONS = ("--host", "--port")
# Options of the app that take a value (so their value is not mistaken for FILE).
_VALUE_OPTIONS = ("--plan", "--minutes", "--map", "--theme", "--out", "--from", *_SERVER_OPTIONS)
_ALL_INTERFACES = ("0.0.0.0", "::", "")


def _matches(token: str, options: tuple[str, ...]) -> str | None:
    """The option ``token`` names (argparse accepts unambiguous prefixes), or None."""
    name = token.split("=", 1)[0]
    if not name.startswith("--") or len(name) < 4:
        return None
    hits = [option for option in options if option.startswith(name)]
    return hits[0] if len(hits) == 1 else None


def app_argv(argv: list[str]) -> list[str]:
    """The served app's arguments: ``argv`` without ``--host``/``--port`` and their values.

    Args:
        argv: the arguments given after ``serve``.

    Returns:
        The same arguments, in order, minus the server's own options.
    """
    kept: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            kept.append(token)
            kept.extend(tokens)
            break
        if _matches(token, _SERVER_OPTIONS) is not None:
            if "=" not in token:
                next(tokens, None)
            continue
        kept.append(token)
    return kept


def _backlog_name(argv: list[str]) -> str | None:
    """The FILE argument's name, for the page title, or None when there is none."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            rest = list(tokens)
            return Path(rest[0]).name if rest else None
        if token.startswith("-"):
            if "=" not in token and _matches(token, _VALUE_OPTIONS) is not None:
                next(tokens, None)
            continue
        return Path(token).name
    return None


def _command(args: list[str]) -> str:
    """The shell command textual-serve runs (it uses a shell, so quote every part)."""
    parts = [sys.executable, "-m", "triage_tui", *args]
    return subprocess.list2cmdline(parts) if os.name == "nt" else shlex.join(parts)


def _url(host: str, port: int) -> str:
    """The address a browser on this machine opens (without the secret)."""
    if host in _ALL_INTERFACES:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal needs brackets in a URL
    return f"http://{host}:{port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` headers a browser sends for this server, or None when any may be
    right (every interface: the machine's LAN names and addresses are not known here)."""
    if host in _ALL_INTERFACES:
        return None
    names: tuple[str, ...]
    if is_loopback(host):
        names = ("127.0.0.1", "localhost", "[::1]")
    else:
        names = (f"[{host}]" if ":" in host else host,)
    return frozenset(f"{name}:{port}" for name in names)


def origin_allowed(origin: str | None, host_header: str, hosts: frozenset[str] | None) -> bool:
    """Whether a WebSocket upgrade comes from the page this server served.

    Browsers send ``Origin`` with every WebSocket handshake and apply no same-origin rule
    to it, so this check is what keeps any other web page from driving the app. The
    origin must be the very address the request was sent to, and that address one this
    server answers as (a DNS-rebound name is refused).
    """
    if not origin or (hosts is not None and host_header not in hosts):
        return False
    return origin == f"http://{host_header}"


def _default_out(args: list[str]) -> Path:
    """The folder a served app writes to when ``--out`` is not given: the backlog's."""
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            rest = list(tokens)
            return Path(rest[0]).resolve().parent if rest else Path.cwd()
        if token.startswith("-"):
            if "=" not in token and _matches(token, _VALUE_OPTIONS) is not None:
                next(tokens, None)
            continue
        return Path(token).resolve().parent
    return Path.cwd()


def _without_out(args: list[str]) -> list[str]:
    """``args`` minus any ``--out`` (serve passes its own, resolved, first)."""
    kept: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            kept.append(token)
            kept.extend(tokens)
            break
        if _matches(token, _VALUE_OPTIONS) == "--out":
            if "=" not in token:
                next(tokens, None)
            continue
        kept.append(token)
    return kept


#: textual-serve's page loads its font from Google's servers: nothing loads offline, and
#: every viewer's address reaches a third party. The same font ships in its static folder.
_REMOTE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)


def offline_page(html: str, static_url: str) -> str:
    """textual-serve's page with nothing fetched from outside: the font from the served
    static folder, and an empty icon (no request for /favicon.ico)."""
    local_font = (
        "<style>@font-face { font-family: 'Roboto Mono'; font-style: normal; "
        f"src: url('{static_url}fonts/RobotoMono-VariableFont_wght.ttf'); }}\n"
        "@font-face { font-family: 'Roboto Mono'; font-style: italic; "
        f"src: url('{static_url}fonts/RobotoMono-Italic-VariableFont_wght.ttf'); }}</style>"
        '<link rel="icon" href="data:,">'
    )
    return _REMOTE_FONT.sub(lambda _: local_font, html, count=1)


def make_server(
    args: list[str],
    host: str,
    port: int,
    *,
    secret: str,
    title: str = "triage-tui",
    command: str | None = None,
) -> Any:
    """A textual-serve Server that opens the app only for the address carrying ``secret``.

    Routes: ``/SECRET/`` (the page) and ``/SECRET/ws`` (the app, upgraded only when the
    Origin is the served address); textual-serve's scripts under ``/static`` and its
    ``/download/KEY`` (keys are random per delivery). Every other path, the bare address
    included, is 403 and starts nothing.

    Args:
        args: the served app's arguments.
        host: the interface to listen on.
        port: the TCP port.
        secret: the per-run secret (``secrets.token_urlsafe``).
        title: the page title.
        command: the shell command to serve instead of triage-tui with ``args`` (the
            benchmark serves its floor app this way: bench/floor_app.py).
    """
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.server import Server

    hosts = allowed_hosts(host, port)

    class _Server(Server):
        def request_exit(self) -> None:
            # ctrl+c stops the server; a second one while it stops (the served apps are
            # closing) must not break that off with a KeyboardInterrupt (exit 130).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            super().request_exit()

        async def on_startup(self, app: object) -> None:
            # textual-serve prints a banner here; we print our own one-line address instead.
            return None

        def initialize_logging(self) -> None:
            super().initialize_logging()
            # aiohttp's access log prints every request path, the secret included.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def _make_app(self) -> web.Application:
            # textual-serve's routes, moved under the secret; nothing else answers.
            app = web.Application()
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes(
                [
                    web.get(f"/{secret}/", self.handle_index, name="index"),
                    web.get(f"/{secret}/ws", self.handle_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.get("/favicon.ico", _no_icon),
                    web.static("/static", self.statics_path, name="static"),
                    web.route("*", "/{anything:.*}", _refuse),
                ]
            )
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def handle_index(self, request: Any) -> Any:
            # The page tells the browser where the websocket and scripts are. Build that
            # from the address the browser used, so a page opened as localhost, by IP or
            # from another machine (--host 0.0.0.0) connects back the same way.
            self.public_url = f"{request.scheme}://{request.host}"
            response = await super().handle_index(request)
            if isinstance(response, web.Response) and response.text is not None:
                response.text = offline_page(response.text, f"{self.public_url}/static/")
            # The address is the key: never sent on as a Referer, never cached, never
            # framed by another page.
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Frame-Options"] = "DENY"
            return response

        async def handle_websocket(self, request: Any) -> Any:
            if not origin_allowed(request.headers.get("Origin"), request.host, hosts):
                raise web.HTTPForbidden(text="triage-tui: this page may not open the app\n")
            return await super().handle_websocket(request)

    async def _no_icon(request: Any) -> Any:
        return web.Response(status=204)  # a browser asks anyway: nothing, not a 403

    async def _refuse(request: Any) -> Any:
        raise web.HTTPForbidden(
            text="triage-tui: open the address `triage-tui serve` printed (it carries a key)\n"
        )

    return _Server(
        command or _command(args), host=host, port=port, title=title, public_url=_url(host, port)
    )


def serve(
    argv: list[str], host: str = "127.0.0.1", port: int = 8000, out: Path | None = None
) -> int:
    """Serve the app in a browser until ctrl+c.

    Args:
        argv: the arguments given after ``serve`` (``--host``/``--port`` are dropped
            before they reach the app).
        host: the interface to listen on; loopback unless the user asks otherwise.
        port: the TCP port.
        out: the one folder the served app writes to (default: the backlog's folder).

    Returns:
        The exit code: 0 after ctrl+c, 1 when the port cannot be opened, 2 when ``out``
        is not a folder.
    """
    app_args = _without_out(app_argv(argv))
    folder = (out if out is not None else _default_out(app_args)).resolve()
    if not folder.is_dir():
        print(f"triage-tui serve: --out {shown(folder)}: no such folder", file=sys.stderr)
        return 2
    # First: after a "--" an option would read as the FILE.
    app_args = ["--out", str(folder), *app_args]
    name = _backlog_name(app_args)
    title = f"triage-tui: {shown(name)}" if name else "triage-tui"
    secret = secrets.token_urlsafe(24)
    server = make_server(app_args, host, port, secret=secret, title=title)
    url = f"{_url(host, port)}/{secret}/"
    print(f"Serving triage-tui at {url} — open it in a browser; ctrl+c stops.", flush=True)
    print(f"Files the app writes stay in {shown(folder)}.", flush=True)
    if not is_loopback(host):
        print(
            f"triage-tui serve: warning: --host {host} is not loopback: anyone who can reach "
            f"this machine on port {port} and has the address can drive the app, and read "
            f"and write files through it.",
            file=sys.stderr,
            flush=True,
        )
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(
            f"triage-tui serve: cannot listen on {host}:{port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    finally:
        # Stopped: another ctrl+c while the process winds down (its threads, the shell
        # of a served app) is no reason to exit 130 or die of SIGINT.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return 0
